#!/usr/bin/perl
# SpamAssassin 4.0.1's own reading of Received lines, for Moat's parser fixture
# (sa_received.expected, checked by MessageReceivedParserTests):
#   python3 Tools/sa/received_lines.py | perl Tests/SpamEngineTests/Fixtures/sa_received.pl \
#     > Tests/SpamEngineTests/Fixtures/sa_received.expected
# Reads one JSON string per input line (an unfolded Received value); prints one JSON object
# per line: {"line": …, "sa": R} where R is ["relay", as_string, no_reverse_dns] |
# ["skipped"] | ["unparseable"] | ["fetcher"] | ["qmail-scanner", envfrom-or-null].
use strict;
use warnings;
use JSON::PP;
use Mail::SpamAssassin::Logger;
use Mail::SpamAssassin::Message::Metadata::Received;

my $json = JSON::PP->new->canonical->allow_nonref;
while (my $in = <STDIN>) {
  chomp $in;
  my $line = $json->decode($in);
  my $meta = bless { allow_mailfetch_markers => 0 }, 'Mail::SpamAssassin::Message::Metadata';
  no warnings 'redefine';
  my $fetcher = 0;
  local *Mail::SpamAssassin::Message::Metadata::found_pop_fetcher_sig = sub { $fetcher = 1 };
  my $relay = $meta->parse_received_line($line);
  my $out;
  if ($fetcher) { $out = ["fetcher"] }
  elsif (exists $meta->{qmail_scanner_env_from}) { $out = ["qmail-scanner", $meta->{qmail_scanner_env_from}] }
  elsif (!defined $relay) { $out = ["unparseable"] }
  elsif (!$relay) { $out = ["skipped"] }
  else { $out = ["relay", $relay->{as_string}, $relay->{no_reverse_dns} ? 1 : 0] }
  print $json->encode({ line => $line, sa => $out }), "\n";
}
