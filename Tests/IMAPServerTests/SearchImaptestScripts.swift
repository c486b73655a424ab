// imaptest scripted tests (dovecot/imaptest, branch release-2.3), as data: the scripts that
// run SEARCH, SORT and THREAD and the mbox files they append. Copyright (c) Dovecot
// authors, MIT licence (see Tests/IMAPTests/Fixtures/imaptest-COPYING.MIT). Generated from
// /work/shared/imaptest/tests; never edit a script to make a test pass.

/// Script name → (script text, its mbox text, or nil for imaptest's `default.mbox`).
let imaptestSearchScripts: [String: (script: String, mbox: String?)] = [
    "search-addresses": (
        script: #"""
messages: all

# full address searching
ok search from user-from@domain.org
* search 1 2 3 4 6 7
ok search to user-to@domain.org
* search 1 2 3 4
ok search cc user-cc@domain.org
* search 1 2 3 4 5
ok search bcc user-bcc@domain.org
* search 1 2 3 4

# realname searching
ok search from realfrom
* search 2 4 6 7
ok search to realto
* search 2 4
ok search cc realcc
* search 2 4
ok search bcc realbcc
* search 2 4

# existence searches
ok search header from ""
* search 1 2 3 4 5 6 7
ok search header to ""
* search 1 2 3 4 6 7
ok search header cc ""
* search 1 2 3 4 5
ok search header bcc ""
* search 1 2 3 4

# substring address searches
ok search from ser-fro
* search 1 2 3 4 5 6 7
ok search to ser-t
* search 1 2 3 4
ok search cc ser-c
* search 1 2 3 4 5
ok search bcc ser-bc
* search 1 2 3 4

# substring realname searches
ok search from ealfro
* search 2 4 6 7
ok search to ealt
* search 2 4
ok search cc ealc
* search 2 4
ok search bcc ealbc
* search 2 4

# multiple addresses
ok search from user-from1
* search 5
ok search from user-from2
* search 5

# groups
ok search to groupname
* search 6 7
ok search to groupname2
* search 6
ok search to groupuser1
* search 6
ok search to groupuser2
* search 6
ok search to groupuser3
* search 6
ok search to groupuser4
* search
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:23 2008
From: user-from@domain.org
To: user-to@domain.org
Cc: user-cc@domain.org
Bcc: user-bcc@domain.org

body

From user@domain  Fri Feb 22 17:06:23 2008
From: RealFrom <user-from@domain.org>
To: RealTo <user-to@domain.org>
Cc: RealCc <user-cc@domain.org>
Bcc: RealBcc <user-bcc@domain.org>

body2

From user@domain  Fri Feb 22 17:06:23 2008
From: <user-from (comment)@ (comment) domain.org>
To: <user-to@domain.org>
Cc: <user-cc@domain.org>
Bcc: <user-bcc@domain.org>

body3

From user@domain  Fri Feb 22 17:06:23 2008
From: user-from@domain.org (RealFrom)
To: user-to@domain.org (RealTo)
Cc: user-cc@domain.org (RealCc)
Bcc: user-bcc@domain.org (RealBcc)

body4

From user@domain  Fri Feb 22 17:06:23 2008
From: user-from1@domain.org, user-from2@domain.org
Cc: user-cc@domain.org

body5

From user@domain  Fri Feb 22 17:06:23 2008
From: RealFrom <user-from@domain.org>
To: groupname: groupuser1@domain.org, groupuser2@domain.org;,
  groupname2: groupuser3@domain.org;

body6

From user@domain  Fri Feb 22 17:06:23 2008
From: RealFrom <user-from@domain.org>
To: groupname:;

body7
"""#),
    "search-body": (
        script: #"""
messages: all

# search full words first
ok search text asdfghjkl
* search 1 2
ok search text zxcvbnm
* search 1 3 4
ok search text qwertyuiop
* search 2 3 4

ok search body asdfghjkl
* search 1 2
ok search body zxcvbnm
* search 1 3 4
ok search body qwertyuiop
* search 4

# search substrings
ok search text sdfghjk
* search 1 2
ok search text xcvbn
* search 1 3 4
ok search text wertyuio
* search 2 3 4

ok search body sdfghjk
* search 1 2
ok search body xcvbn
* search 1 3 4
ok search body wertyuio
* search 4
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

asdfghjkl zxcvbnm

From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: qwertyuiop

asdfghjkl

From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200
X-Header: qwertyuiop

zxcvbnm

From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

zxcvbnm qwertyuiop
"""#),
    "search-date": (
        script: #"""
messages: all

# 1) Timezone changes from EET +0200 -> EEST +0300
# 1a) SENTBEFORE
ok search sentbefore 24-mar-2007
* search
ok search sentbefore 25-mar-2007
* search 1
ok search sentbefore 26-mar-2007
* search 1 2 3 4 5 6
ok search sentbefore 27-mar-2007
* search 1 2 3 4 5 6 7

# 1b) SENTON
ok search senton 23-mar-2007
* search
ok search senton 24-mar-2007
* search 1
ok search senton 25-mar-2007
* search 2 3 4 5 6
ok search senton 26-mar-2007
* search 7

# 1c) SENTSINCE
ok search 1:7 sentsince 24-mar-2007
* search 1 2 3 4 5 6 7
ok search 1:7 sentsince 25-mar-2007
* search 2 3 4 5 6 7
ok search 1:7 sentsince 26-mar-2007
* search 7
ok search 1:7 sentsince 27-mar-2007
* search

# 2) Timezone changes from EEST +0300 -> EET +0200
# 2a) SENTBEFORE
ok search 8:* sentbefore 27-oct-2007
* search
ok search 8:* sentbefore 28-oct-2007
* search 8
ok search 8:* sentbefore 29-oct-2007
* search 8 9 10 11 12 13 14 15
ok search 8:* sentbefore 30-oct-2007
* search 8 9 10 11 12 13 14 15 16

# 2b) SENTON
ok search 8:* senton 26-oct-2007
* search
ok search 8:* senton 27-oct-2007
* search 8
ok search 8:* senton 28-oct-2007
* search 9 10 11 12 13 14 15
ok search 8:* senton 29-oct-2007
* search 16

# 2c) SENTSINCE
ok search 8:* sentsince 27-oct-2007
* search 8 9 10 11 12 13 14 15 16
ok search 8:* sentsince 28-oct-2007
* search 9 10 11 12 13 14 15 16
ok search 8:* sentsince 29-oct-2007
* search 16
ok search 8:* sentsince 30-oct-2007
* search

# 3) Try a couple of NOTs
ok search 1:7 not sentbefore 26-mar-2007
* search 7
ok search 1:7 not senton 25-mar-2007
* search 1 7
ok search 8:* not sentsince 28-oct-2007
* search 8
ok search 8:* not senton 28-oct-2007
* search 8 16
"""#,
        mbox: #"""
From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sat, 24 Mar 2007 23:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 25 Mar 2007 00:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 25 Mar 2007 01:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 25 Mar 2007 02:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 25 Mar 2007 04:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 25 Mar 2007 23:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Mon, 26 Mar 2007 00:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sat, 27 Oct 2007 03:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 00:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 01:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 02:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 03:00:00 +0300

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 03:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 04:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Sun, 28 Oct 2007 23:00:00 +0200

body

From user@domain  Sat Mar 24 23:00:00 2007 +0200
Date: Mon, 29 Oct 2007 00:00:00 +0200

body
"""#),
    "search-flags": (
        script: #"""
messages: 5

ok store 1 flags ($$hello)
ok store 2 flags (\seen \flagged)
ok store 3 flags (\answered $$hello)
ok store 4 flags (\flagged \draft)
ok store 5 flags (\deleted \answered)

ok search answered
* search 3 5
ok search unanswered
* search 1 2 4

ok search deleted
* search 5
ok search undeleted
* search 1 2 3 4

ok search draft
* search 4
ok search undraft
* search 1 2 3 5

ok search flagged
* search 2 4
ok search unflagged
* search 1 3 5

ok search seen
* search 2
ok search unseen
* search 1 3 4 5

ok search keyword $$hello
* search 1 3
ok search unkeyword $$hello
* search 2 4 5

ok search new
* search 1 3 4 5

ok search old
* search

ok search recent
* search 1 2 3 4 5

ok store 1:* flags (\seen)
ok store 2 +flags (\flagged)
ok search seen flagged
* search 2
ok search seen not flagged
* search 1 3 4 5
ok search not seen flagged
* search
ok search not seen not flagged
* search

ok store 1:* flags (\deleted)
ok store 2 +flags (\flagged)
ok search deleted flagged
* search 2
ok search deleted not flagged
* search 1 3 4 5
ok search not deleted flagged
* search
ok search not deleted not flagged
* search

ok store 1:* flags (\seen \deleted)
ok store 2 +flags (\flagged)
ok search seen flagged
* search 2
ok search seen not flagged
* search 1 3 4 5
ok search not seen flagged
* search
ok search not seen not flagged
* search
ok search seen deleted flagged
* search 2
ok search seen deleted not flagged
* search 1 3 4 5
ok search not seen deleted flagged
* search
ok search not seen deleted not flagged
* search
ok search seen not deleted flagged
* search
ok search seen not deleted not flagged
* search
ok search not seen not deleted flagged
* search
ok search not seen not deleted not flagged
* search
"""#,
        mbox: nil),
    "search-header": (
        script: #"""
messages: all

# just check that this returns ok. it's not really specified in RFC, so
# don't verify the result.
ok search subject ""

# subject
ok search subject hello
* search 1
ok search subject beautiful
* search 1
ok search subject world
* search 1
ok search subject "hello beautiful"
* search 1
ok search subject "hello beautiful world"
* search 1
ok search subject "eautiful worl"
* search 1

# header
ok search header subject ""
* search 1
ok search not header subject ""
* search 2
ok search header x-extra ""
* search 2
ok search not header x-extra ""
* search 1
ok search header x-extra hello
* search 2
ok search header x-extra "hello beautiful"
* search 2
ok search header x-extra "eautiful head"
* search 2
ok search header x-extra "another"
* search 2
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:23 2008
Subject: hello beautiful world

body

From user@domain  Fri Feb 22 17:06:23 2008
X-Extra: hello beautiful header
X-Extra: another one

body
"""#),
    "search-sets": (
        script: #"""
messages: 6

ok uid search all
* search $uid1 $uid2 $uid3 $uid4 $uid5 $uid6
ok status $mailbox (uidnext)
* status $mailbox (uidnext $uidnext)

# break seq=uid mapping
ok store 2 +flags \deleted
ok expunge
* 2 expunge

ok search all
* search 1 2 3 4 5
ok uid search all
* search $uid1 $uid3 $uid4 $uid5 $uid6

ok search 1:3,5
* search 1 2 3 5
ok search 4:2
* search 2 3 4
ok search uid $uid1:$uid3,$uid5
* search 1 2 4
ok search uid $uid4:$uid2
* search 2 3

ok search 1:3 not uid $uid3
* search 1 3
ok search not 2,4
* search 1 3 5
ok search or 1 uid $uid3
* search 1 2

ok search *
* search 5
ok search uid *
* search 5
ok search uid $uidnext:*
* search 5
ok search *:3
* search 3 4 5
ok search 1,4,*
* search 1 4 5

# These are in a bit of a grey area. Most servers allow them, but it's not
# explicitly defined in the RFC that they're legal:
#ok search 6:*
#* search 5
#ok search *:6
#* search 5

ok search (3) uid $uid4
* search 3
ok search (uid $uid4) 3
* search 3
ok search 3 (uid $uid4)
* search 3

ok uid search uid 1:4294967295
* search $uid1 $uid3 $uid4 $uid5 $uid6
ok uid search uid $uidnext:4294967295
* search 
"""#,
        mbox: nil),
    "search-size": (
        script: #"""
messages: all

# get the middle size. don't trust precalculated values in case server
# modifies the message while APPENDing it. Messages 3 and 4 have different
# RFC822.SIZE, but with servers that store linefeeds as LFs they have the
# same file size. This test catches if they search using file size.
ok fetch 1:4 rfc822.size
* 3 fetch (rfc822.size $size)

ok search smaller $size
* search 1 2
ok search larger $size
* search 4
ok search not smaller $size
* search 3 4
ok search not larger $size
* search 1 2 3

ok search not smaller $size not larger $size
* search 3
ok search or smaller $size larger $size
* search 1 2 4
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

1

From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

22

From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

333

From user@domain  Fri Feb 22 17:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

4
4
"""#),
    "esearch": (
        script: #"""
capabilities: ESEARCH
messages: all

ok store 4 +flags \deleted
ok expunge

# SEARCH ALL

ok search return (all) all
* esearch (tag $tag) all 1:6
ok search return () all
* esearch (tag $tag) all 1:6
ok search return (min) all
* esearch (tag $tag) min 1
ok search return (max) all
* esearch (tag $tag) max 6
ok search return (count) all
* esearch (tag $tag) count 6

# UID SEARCH ALL

ok fetch 1:* UID
* 1 fetch (uid $uid1)
* 2 fetch (uid $uid2)
* 3 fetch (uid $uid3)
* 4 fetch (uid $uid4)
* 5 fetch (uid $uid5)
* 6 fetch (uid $uid6)

ok uid search return (all) all
* esearch (tag $tag) uid all $uid1:$uid3,$uid4:$uid6
ok uid search return () all
* esearch (tag $tag) uid all $uid1:$uid3,$uid4:$uid6
ok uid search return (min) all
* esearch (tag $tag) uid min $uid1
ok uid search return (max) all
* esearch (tag $tag) uid max $uid6
ok uid search return (count) all
* esearch (tag $tag) uid count 6

# \Seen flag test

ok store 2,4 +flags \seen

ok uid search return (all) seen
* esearch (tag $tag) uid all $uid2,$uid4
ok uid search return () seen
* esearch (tag $tag) uid all $uid2,$uid4
ok uid search return (min) seen
* esearch (tag $tag) uid min $uid2
ok uid search return (max) seen
* esearch (tag $tag) uid max $uid4
ok uid search return (count) seen
* esearch (tag $tag) uid count 2

# nonexistent

ok search return () 1000
* esearch (tag $tag)
ok search return (min) 1000
* esearch (tag $tag)
ok search return (max) 1000
* esearch (tag $tag)
ok search return (count) 1000
* esearch (tag $tag) count 0

# UID nonexistent

ok uid search return () 1000
* esearch (tag $tag) uid
ok uid search return (min) 1000
* esearch (tag $tag) uid
ok uid search return (max) 1000
* esearch (tag $tag) uid
ok uid search return (count) 1000
* esearch (tag $tag) uid count 0
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:21 2008

1

From user@domain  Fri Feb 22 17:06:22 2008

2

From user@domain  Fri Feb 22 17:06:23 2008

3

From user@domain  Fri Feb 22 17:06:23 2008

4

From user@domain  Fri Feb 22 17:06:25 2008

5

From user@domain  Fri Feb 22 17:06:25 2008

6

From user@domain  Fri Feb 22 17:06:25 2008

7
"""#),
    "esearch-condstore": (
        script: #"""
capabilities: ESEARCH CONDSTORE
messages: 4

# ENABLE is valid only in authenticated state. we could do enable+select
# manually here also, but lets just make sure that switching it on via
# condstore-enabling command works as well (since that is valid)
ok fetch 1 modseq
* ok [highestmodseq $highestmodseq]

ok store 1 +flags \seen
* 1 fetch (modseq ($modseq1))
ok store 3 +flags \seen
* 3 fetch (modseq ($modseq3))
ok store 2 +flags \seen
* 2 fetch (modseq ($modseq2))
ok store 4 +flags \seen
* 4 fetch (modseq ($modseq4))

ok search return (min) 1:3 modseq "/flags/\\seen" all 1
* esearch (tag $tag) min 1 modseq $modseq1

ok search return (max) 1:3 modseq "/flags/\\seen" all 1
* esearch (tag $tag) max 3 modseq $modseq3

ok search return () 1:3 modseq "/flags/\\seen" all 1
* esearch (tag $tag) all 1:3 modseq $modseq2

ok search return (min max) 2:3 modseq "/flags/\\seen" all 1
* esearch (tag $tag) min 2 max 3 modseq $modseq2

ok search return (all) 2:3 modseq "/flags/\\seen" all $modseq3
* esearch (tag $tag) all 2:3 modseq $modseq2

ok search return (all) 2:3 modseq "/flags/\\seen" all $modseq2
* esearch (tag $tag) all 2 modseq $modseq2

ok search return (all) 2:3 modseq "/flags/\\seen" all $modseq4
* esearch (tag $tag)
"""#,
        mbox: nil),
    "esort": (
        script: #"""
capabilities: ESORT
messages: 5

ok sort return (min) (arrival) us-ascii 1:5
* esearch (tag $tag) min 1
ok sort return (max) (arrival) us-ascii 1:5
* esearch (tag $tag) max 5
ok sort return (all) (arrival) us-ascii 1:5
* esearch (tag $tag) all 1:5
ok sort return (count) (arrival) us-ascii 1:5
* esearch (tag $tag) count 5
"""#,
        mbox: nil),
    "sort-addresses": (
        script: #"""
capabilities: SORT
messages: all

ok sort (from) us-ascii all
* sort 3 1 2
ok sort (to) us-ascii all
* sort 3 1 2
ok sort (cc) us-ascii all
* sort 3 1 2

ok sort (reverse from) us-ascii all
* sort 1 2 3
ok sort (reverse to) us-ascii all
* sort 1 2 3
ok sort (reverse cc) us-ascii all
* sort 1 2 3

ok sort (from reverse arrival) us-ascii all
* sort 3 2 1
ok sort (to reverse arrival) us-ascii all
* sort 3 2 1
ok sort (cc reverse arrival) us-ascii all
* sort 3 2 1
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 00:06:23 2008
From: user2@domain2.org
To: foo bar <user2@domain2.org>
Cc: user2@domain2.org (foo bar)

1

From user@domain  Fri Feb 22 01:06:23 2008
From: user2@domain1.org
To: user2@domain1.org
Cc: user2: blah@domain1.org;

2

From user@domain  Fri Feb 22 02:06:23 2008
From: user1@domain1.org
To: user1@domain1.org
Cc: user1@domain1.org

3
"""#),
    "sort-arrival": (
        script: #"""
capabilities: SORT
messages: all

ok sort (arrival) us-ascii all
* sort 1 3 2 4 5

ok sort (reverse arrival) us-ascii all
* sort 2 4 5 3 1

ok sort (arrival reverse size) us-ascii all
* sort 1 3 5 4 2
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 00:00:00 2008

1

From user@domain  Fri Feb 22 02:00:00 2008

2

From user@domain  Fri Feb 22 01:00:00 2008

33

From user@domain  Fri Feb 22 02:00:00 2008

44

From user@domain  Fri Feb 22 02:00:00 2008

5555
"""#),
    "sort-date": (
        script: #"""
capabilities: SORT
messages: all

ok sort (date) us-ascii all
* sort 1 3 7 5 2 4 6

ok sort (reverse date) us-ascii all
* sort 2 4 6 5 3 7 1

ok sort (date reverse size) us-ascii all
* sort 1 7 3 5 6 4 2
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 23:00:00 2008 +0200
Date: Fri, 22 Feb 2008 00:00:00 +0200

1

From user@domain  Fri Feb 22 22:00:00 2008 +0200
Date: Fri, 22 Feb 2008 02:00:00 +0200

2

From user@domain  Fri Feb 22 21:00:00 2008 +0200
Date: Fri, 22 Feb 2008 01:00:00 +0200

33

From user@domain  Fri Feb 22 20:00:00 2008 +0200
Date: Fri, 22 Feb 2008 02:00:00 +0200

44

From user@domain  Fri Feb 22 01:30:23 2008 +0200
Subject: foo

55555

From user@domain  Fri Feb 22 18:00:00 2008 +0200
Date: Fri, 22 Feb 2008 02:00:00 +0200

6666

From user@domain  Fri Feb 22 01:00:00 2008 +0200
Subject: foo bar foo bar foo bar fooo

777
"""#),
    "sort-display-from": (
        script: #"""
capabilities: SORT=DISPLAY
messages: all

ok sort (displayfrom) us-ascii all
* sort 2 3 4 1 5

ok sort (reverse displayfrom) us-ascii all
* sort 5 1 4 3 2
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 23:00:00 2008 +0200
From: foo bar <a@b.c>

1

From user@domain  Fri Feb 22 23:00:00 2008 +0200
From: b@c.d

2

From user@domain  Fri Feb 22 23:00:00 2008 +0200
From: d

3

From user@domain  Fri Feb 22 23:00:00 2008 +0200
From: =?iso-8859-1?q?foo_aar?= <e@f.g>

4

From user@domain  Fri Feb 22 23:00:00 2008 +0200
From: =?iso-8859-1?q?foo_car?= <f@g.h>

5
"""#),
    "sort-display-to": (
        script: #"""
capabilities: SORT=DISPLAY
messages: all

ok sort (displayto) us-ascii all
* sort 6 2 3 8 4 1 5 7

ok sort (reverse displayto) us-ascii all
* sort 7 5 1 4 8 3 2 6
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: foo bar <a@b.c>

1

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: b@c.d

2

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: d

3

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: =?iso-8859-1?q?foo_aar?= <e@f.g>

4

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: =?iso-8859-1?q?foo_car?= <f@g.h>

5

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: a: xx@xx.org, yy@yy.org;

6

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: z: aa@aa.org, bb@bb.org;

7

From user@domain  Fri Feb 22 23:00:00 2008 +0200
To: empty:;

8
"""#),
    "sort-size": (
        script: #"""
capabilities: SORT
messages: all

ok sort (size) us-ascii all
* sort 1 8 2 6 3 5 4 7

ok sort (reverse size) us-ascii all
* sort 4 7 3 5 2 6 1 8

ok sort (size reverse arrival) us-ascii all
* sort 8 1 6 2 5 3 7 4
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 00:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

1

From user@domain  Fri Feb 22 01:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

22

From user@domain  Fri Feb 22 02:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

333

From user@domain  Fri Feb 22 03:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

4
4

From user@domain  Fri Feb 22 04:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

555

From user@domain  Fri Feb 22 05:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

66

From user@domain  Fri Feb 22 06:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

7777

From user@domain  Fri Feb 22 07:06:23 2008
Date: Sat, 24 Mar 2007 23:00:00 +0200

8
"""#),
    "sort-subject": (
        script: #"""
capabilities: SORT
messages: all

ok sort (subject) us-ascii all
* sort 9 10 1 14 3 5 11 6 15 2 7 12 13 8 4

ok sort (reverse subject) us-ascii all
* sort 4 8 2 7 12 13 15 6 3 5 11 14 1 9 10

ok sort (subject reverse size) us-ascii all
* sort 10 9 1 14 11 5 3 6 15 13 12 7 2 8 4
"""#,
        mbox: subjectsMbox),
    "thread": (
        script: #"""
capabilities: THREAD=REFERENCES
messages: all

ok thread references us-ascii all
* thread (3 2)(1)

ok store 1 +flags \deleted
ok expunge

ok thread references us-ascii all
* thread (2 1)
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:23 2008
Message-ID: <a@b>

body

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <b@b>
References: <a@b> <c@b>

body

From user@domain  Fri Feb 22 16:06:25 2008
Message-Id: <c@b>
References: <b@b>

body
"""#),
    "thread-orderedsubject": (
        script: #"""
capabilities: THREAD=ORDEREDSUBJECT
messages: all

ok thread orderedsubject us-ascii all
* THREAD (1)(2 (7)(12)(13))(3 (5)(11))(4)(6)(8)(9 10)(14)(15)
"""#,
        mbox: subjectsMbox),
    "thread-orderedsubject2": (
        script: #"""
capabilities: THREAD=ORDEREDSUBJECT
messages: all

ok thread orderedsubject us-ascii all
* THREAD (4 (2)(8)(6))(3 (1)(7)(5))
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 23:00:01 2008 +0200
Subject: a
Date: Fri, 22 Feb 2008 22:00:10 +0200

1

From user@domain  Fri Feb 22 23:00:02 2008 +0200
Date: Fri, 22 Feb 2008 22:00:09 +0200
Subject: b

2

From user@domain  Fri Feb 22 23:00:03 2008 +0200
Date: Fri, 22 Feb 2008 22:00:08 +0200
Subject: a

3

From user@domain  Fri Feb 22 23:00:04 2008 +0200
Date: Fri, 22 Feb 2008 22:00:07 +0200
Subject: b

4

From user@domain  Fri Feb 22 22:00:30 2008 +0200
Subject: a

5

From user@domain  Fri Feb 22 22:00:29 2008 +0200
Subject: b

6

From user@domain  Fri Feb 22 22:00:28 2008 +0200
Subject: a

7

From user@domain  Fri Feb 22 22:00:27 2008 +0200
Subject: b

8
"""#),
    "thread2": (
        script: #"""
capabilities: THREAD=REFERENCES
messages: all

ok thread references us-ascii all
* thread (1)(2)
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <a@b>

body

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <a@b>

body
"""#),
    "thread3": (
        script: #"""
capabilities: THREAD=REFERENCES
messages: all

ok thread references us-ascii all
* THREAD (1 2)
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <a@b>
Subject: foo

body

From user@domain  Fri Feb 22 15:06:24 2008
Message-Id: <a@b>
Subject: Re: foo

body
"""#),
    "thread4": (
        script: #"""
capabilities: THREAD=REFERENCES
messages: all

ok thread references us-ascii all
* THREAD (1 2)
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <a@b>
Subject: foo

body

From user@domain  Fri Feb 22 15:06:24 2008
Message-Id: <b@b>
References: <c@b>
Subject: Re: foo

body
"""#),
    "thread5": (
        script: #"""
capabilities: THREAD=REFERENCES
state: created

ok append
ok append
ok append
ok append

ok select $mailbox
ok thread references us-ascii all
* THREAD (1 (2 4)(3))

ok store 1,2 +flags \deleted
ok expunge
ok thread references us-ascii all
* THREAD (1)(2)

ok append
ok thread references us-ascii all
* THREAD (1)((2)(3))
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 17:06:23 2008
Message-ID: <1@b>

body

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <2@b>
In-Reply-To: <1@b>

body

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <3@b>
In-Reply-To: <1@b>

body

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <4@b>
In-Reply-To: <2@b>

body

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <5@b>
In-Reply-To: <2@b>

body
"""#),
    "thread6": (
        script: #"""
capabilities: THREAD=REFERENCES
messages: all

ok thread references us-ascii all
* THREAD ((1)(2))
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 15:06:23 2008
References: <a@b>

body

From user@domain  Fri Feb 22 15:06:24 2008
References: <a@b>

body
"""#),
    "thread7": (
        script: #"""
capabilities: THREAD=REFERENCES
messages: all

ok thread references us-ascii all
* thread (1 (2 3)(4))

ok store 2 +flags \deleted
ok expunge

ok thread references us-ascii all
* thread (1 3 2)
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <a@b>

body1

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <b@b>
References: <a@b>

body2

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <c@b>
References: <b@b>

body3

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <b@b>
References: <a@b>

body4 (2 duplicate)
"""#),
    "thread8": (
        script: #"""
capabilities: THREAD=REFERENCES
state: created

ok append
ok append
ok select $mailbox

ok thread references us-ascii all
* thread (1 2)

ok store 2 +flags \deleted
ok expunge

ok thread references us-ascii all
* thread (1)

ok append

ok thread references us-ascii all
* thread (1 2)
"""#,
        mbox: #"""
From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <a@b>

body1

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <b@b>
References: <a@b>

body2

From user@domain  Fri Feb 22 15:06:23 2008
Message-Id: <b@b>
References: <a@b>

body3
"""#),
]

/// imaptest's `default.mbox`: the messages of scripts that name no mbox of their own.
let imaptestDefaultMbox = #"""
From user@domain  Fri Feb 22 17:06:23 2008
From: user1@domain.org
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: s1

body1

From user@domain  Fri Feb 22 17:06:23 2008
From: user2@domain.org
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: s22

body22

From user@domain  Fri Feb 22 17:06:23 2008
From: user3@domain.org
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: s333

body33

From user@domain  Fri Feb 22 17:06:23 2008
From: user4@domain.org
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: s4444

body4444

From user@domain  Fri Feb 22 17:06:23 2008
From: user5@domain.org
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: s55555

body55555

From user@domain  Fri Feb 22 17:06:23 2008
From: user6@domain.org
Date: Sat, 24 Mar 2007 23:00:00 +0200
Subject: s666666

body666666
"""#

/// sort-subject.mbox and thread-orderedsubject.mbox are the same file.
private let subjectsMbox = #"""
From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: a

1

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: C

2

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: b

3

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: _

4

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: [foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)

55

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: b (a)

66

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: Re: [FWD: c]

77

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: [xyz]

88

From user@domain  Fri Feb 22 23:00:00 2008 +0200

9

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: =?iso-8859-1?q?_?=

10

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: Re: =?utf-8?q?b?=

11
xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: =?iso-8859-1?q?RE:_C?=

12
xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: =?us-ascii?b?UmU6IGM=?=

13

The subject is 'Re: c'.
xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: Ad: Re: Ad: Re: Ad: x

14

From user@domain  Fri Feb 22 23:00:00 2008 +0200
Subject: re: [fwd: [fwd: re: [fwd: babylon]]]

15
"""#
