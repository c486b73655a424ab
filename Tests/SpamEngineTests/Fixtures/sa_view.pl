#!/usr/bin/perl
# Prints SpamAssassin 4.0.1's own view of messages (body, rawbody, uris, headers)
# in a line format that SAMessageGoldenTests compares against.
# Usage: perl sa_view.pl MSGFILE [OUTFILE]   or   perl sa_view.pl --dir OUTDIR MSGFILE...
# Each output line is "TAG<TAB>value"; values escape \\ \n \r \t and bytes < 0x20, 0x7f as \xHH.
# uris are sorted (SA returns hash keys, unordered).
use strict; use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
                                   debug => 0, home_dir_for_helpers => '/tmp' });
$sa->init(1);

sub esc { my $s = shift; return '<undef>' unless defined $s;
  utf8::encode($s) if utf8::is_utf8($s);
  $s =~ s/\\/\\\\/g; $s =~ s/\n/\\n/g; $s =~ s/\r/\\r/g; $s =~ s/\t/\\t/g;
  $s =~ s/([\x00-\x1f\x7f])/sprintf("\\x%02x", ord $1)/ge; return $s; }

my @headers = ('Subject', 'From', 'From:addr', 'From:name', 'To', 'ToCc', 'Subject:raw',
               'MESSAGEID', 'Content-Type', 'X-Spam-Relays-Untrusted', 'X-Spam-Relays-Trusted',
               'Reply-To:addr', 'To:addr', 'Received', 'ALL');

sub view {
  my ($file, $out) = @_;
  # slurp without leaving $/ undefined: SpamAssassin relies on chomp() with $/ = "\n"
  open my $fh, '<', $file or die "$file: $!"; my $text = do { local $/; <$fh> }; close $fh;
  my $msg = $sa->parse($text);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $pms->extract_message_metadata();
  print $out "B\t", esc($_), "\n" for @{$pms->get_decoded_stripped_body_text_array};
  print $out "R\t", esc($_), "\n" for @{$pms->get_decoded_body_text_array};
  print $out "U\t", esc($_), "\n" for sort $pms->get_uri_list;
  for my $h (@headers) {
    my @harr = $pms->get($h);
    my $v = @harr ? join($harr[0] =~ /\n\z/ ? "" : "\n", @harr) : undef;
    print $out "H\t$h\t", esc($v), "\n";
  }
  # MIMEEval's structural facts (M lines)
  require Mail::SpamAssassin::Plugin::MIMEEval;
  my $me = bless { main => $sa }, 'Mail::SpamAssassin::Plugin::MIMEEval';
  $me->_check_attachments($pms);
  for my $k (qw(mime_base64_count mime_base64_encoded_text mime_body_html_count mime_body_text_count
                mime_multipart_alternative mime_multipart_ratio mime_qp_count mime_qp_long_line mime_qp_ratio
                mime_ascii_text_illegal mime_missing_boundary mime_faraway_charset)) {
    my $v = $pms->{$k}; $v = sprintf("%.4f", $v) if defined $v && $v =~ /\./;
    print $out "M\t$k\t", (defined $v ? $v : '<undef>'), "\n";
  }
  print $out "M\tbase64_length\t", $me->_check_base64_length($msg), "\n";
  print $out "M\tma_non_text\t", $me->check_ma_non_text($pms), "\n";
  $pms->finish; $msg->finish;
}

if (@ARGV && $ARGV[0] eq '--tlds') {
  print "$_\n" for sort keys %{$sa->{conf}->{valid_tlds}}; exit 0;
}
if (@ARGV && $ARGV[0] eq '--dir') {
  shift; my $dir = shift;
  for my $f (@ARGV) { (my $n = $f) =~ s{.*/}{}; my $p = $f =~ m{/spam/} ? 'spam_' : 'ham_';
    open my $o, '>', "$dir/$p$n.txt" or die; view($f, $o); close $o; }
  exit 0;
}
my $out = \*STDOUT;
if (@ARGV > 1) { open $out, '>', $ARGV[1] or die; }
view($ARGV[0], $out);
