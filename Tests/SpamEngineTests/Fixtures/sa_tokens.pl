#!/usr/bin/perl
# Prints, as one JSON object, what SpamAssassin 4.0.1's Bayes plugin sees and produces
# for one message: the tokenizer's inputs (header lines incl. metadata, visible and
# invisible rendered body lines, URI list) and its output (the sorted, unique raw tokens
# before hashing). Used to build the BayesTokenizer fixtures:
#   perl sa_tokens.pl MESSAGE > NAME.sa.json
# Strings are byte strings, emitted with \u00XX escapes (each code point is one byte).
use strict;
use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;
use JSON::PP;

my $path = shift or die "usage: $0 MESSAGE\n";
open(my $fh, '<', $path) or die "$path: $!\n";
my @lines = <$fh>;
close $fh;

my $sa = Mail::SpamAssassin->new({
  local_tests_only => 1, dont_copy_prefs => 1, use_bayes => 1,
  userprefs_filename => '/dev/null', home_dir_for_helpers => '/tmp',
  post_config_text => "use_bayes 1\nbayes_store_module Mail::SpamAssassin::BayesStore::SQL\n",
});
$sa->init(1);
my ($bayes) = grep { ref($_) eq 'Mail::SpamAssassin::Plugin::Bayes' }
  $sa->{plugins}->get_loaded_plugins_list();
die "Bayes plugin not loaded\n" unless $bayes;
# The SQL store has no magic tokens; tokenize() only needs get_magic_re from it.
{ package FakeStore; sub new { bless {}, shift } sub get_magic_re { undef } }
$bayes->{store} = FakeStore->new;

my $msg = $sa->parse(\@lines);
my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
$msg->extract_message_metadata($pms);
my $msgdata = $bayes->_get_msgdata_from_permsgstatus($pms);
my $tokens = $bayes->tokenize($msg, $msgdata);

sub bytes { my $s = shift; $s = '' unless defined $s; utf8::encode($s) if utf8::is_utf8($s); $s }
my @headers = map { bytes($_) } ($msg->get_all_headers(), $msg->get_all_metadata());
my %out = (
  headers => \@headers,
  ignored_header_sources => 'headers = get_all_headers() then get_all_metadata(), as _tokenize_headers reads them',
  body => [ map { bytes($_) } @{ $msgdata->{bayes_token_body} || [] } ],
  inviz => [ map { bytes($_) } @{ $msgdata->{bayes_token_inviz} || [] } ],
  uris => [ map { bytes($_) } @{ $msgdata->{bayes_token_uris} || [] } ],
  tokens => [ sort map { bytes($_) } values %$tokens ],
);
print JSON::PP->new->ascii->canonical->pretty->encode(\%out);
$pms->finish; $msg->finish;
