#!/usr/bin/perl
# Prints SpamAssassin 4.0.1's results for a handful of ported eval functions, one line per
# message, for EvalDifferentialTests (Tests/SpamEngineTests/EvalDifferentialTests.swift).
# Usage: perl sa_evals.pl CORPUSDIR REL-PATH... > Fixtures/sa_evals.expected
# Line format: REL-PATH<TAB>envfrom=...<TAB>name=value<TAB>...  (envfrom is what SA derived,
# so the Swift side evaluates with the same envelope sender; date_diff is the raw seconds).
use strict; use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my $corpus = shift @ARGV or die "usage: $0 CORPUSDIR REL-PATH...\n";
mkdir '/tmp/sa_evals_empty';
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1, debug => 0,
                                   rules_filename => '/usr/share/spamassassin',
                                   userprefs_filename => '/tmp/sa_evals_empty/user_prefs',
                                   home_dir_for_helpers => '/tmp' });
$sa->init(1);
my (%plugin);
for my $p (@{$sa->{plugins}->{plugins}}) { $plugin{ref $p} = $p; }
my $he = $plugin{'Mail::SpamAssassin::Plugin::HeaderEval'} or die "no HeaderEval";
my $fm = $plugin{'Mail::SpamAssassin::Plugin::FreeMail'} or die "no FreeMail";
my $wl = $plugin{'Mail::SpamAssassin::Plugin::WLBLEval'} or die "no WLBLEval";

sub esc { my $s = shift; return '' unless defined $s; $s =~ s/([\\\t\n\r])/sprintf("\\x%02x", ord $1)/ge; $s }

for my $rel (@ARGV) {
  open my $fh, '<', "$corpus/$rel" or die "$rel: $!"; local $/; my $text = <$fh>; close $fh;
  my $msg = $sa->parse($text);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $pms->extract_message_metadata();
  $pms->{current_rule_name} = 'T_EVAL';
  my @out = ("envfrom=" . esc(scalar $pms->get('EnvelopeFrom')));
  my $b = sub { $_[0] ? 1 : 0 };
  push @out, "check_equal_from_domains=" . $b->($he->check_equal_from_domains($pms));
  $he->check_for_shifted_date($pms, 'undef', 'undef');
  push @out, "date_diff=" . $pms->{date_diff};
  push @out, "subject_is_all_caps=" . $b->($he->subject_is_all_caps($pms));
  push @out, "check_outlook_message_id=" . $b->($he->check_outlook_message_id($pms));
  push @out, "check_for_missing_to_header=" . $b->($he->check_for_missing_to_header($pms));
  push @out, "check_header_count_range_subject=" . $b->($he->check_header_count_range($pms, 'Subject', '2', '999'));
  push @out, "check_illegal_chars_all=" . $b->($he->check_illegal_chars($pms, 'ALL', '0.010', '2'));
  push @out, "check_illegal_chars_subject=" . $b->($he->check_illegal_chars($pms, 'Subject', '0.00', '2'));
  push @out, "check_unresolved_template=" . $b->($he->check_unresolved_template($pms));
  push @out, "check_messageid_not_usable=" . $b->($he->check_messageid_not_usable($pms));
  push @out, "check_for_forged_yahoo_received_headers=" . $b->($he->check_for_forged_yahoo_received_headers($pms));
  push @out, "check_for_no_hotmail_received_headers=" . $b->($he->check_for_no_hotmail_received_headers($pms));
  push @out, "check_freemail_from=" . $b->($fm->check_freemail_from($pms));
  push @out, "check_freemail_header_replyto=" . $b->($fm->check_freemail_header($pms, 'Reply-To'));
  push @out, "check_freemail_replyto=" . $b->($fm->check_freemail_replyto($pms, 'replyto'));
  push @out, "check_freemail_reply=" . $b->($fm->check_freemail_replyto($pms, 'reply'));
  push @out, "check_header_count_range_ct=" . $b->($he->check_header_count_range($pms, 'Content-Type', '2', '999'));
  push @out, "check_illegal_chars_from=" . $b->($he->check_illegal_chars($pms, 'From', '0.20', '2'));
  push @out, "check_for_forged_hotmail_received_headers=" . $b->($he->check_for_forged_hotmail_received_headers($pms));
  push @out, "check_for_forged_juno_received_headers=" . $b->($he->check_for_forged_juno_received_headers($pms));
  push @out, "check_for_forged_gmail_received_headers=" . $b->($he->check_for_forged_gmail_received_headers($pms));
  push @out, "check_for_forged_gw05_received_headers=" . $b->($he->check_for_forged_gw05_received_headers($pms));
  push @out, "gated_through_received_hdr_remover=" . $b->($he->gated_through_received_hdr_remover($pms));
  push @out, "check_ratware_name_id=" . $b->($he->check_ratware_name_id($pms));
  push @out, "check_ratware_envelope_from=" . $b->($he->check_ratware_envelope_from($pms));
  push @out, "check_for_to_in_subject_user=" . $b->($he->check_for_to_in_subject($pms, 'user'));
  push @out, "check_freemail_header_envfrom_digit=" . $b->($fm->check_freemail_header($pms, 'EnvelopeFrom', '\d@'));
  push @out, "check_freemail_header_subject=" . $b->($fm->check_freemail_header($pms, 'Subject'));
  push @out, "check_from_in_default_welcomelist=" . $b->($wl->check_from_in_default_welcomelist($pms));
  push @out, "check_forged_in_default_welcomelist=" . $b->($wl->check_forged_in_default_welcomelist($pms));
  push @out, "check_from_in_list_banks=" . $b->($wl->check_from_in_list($pms, 'BANKS'));
  push @out, "check_from_in_list_susp_ntld=" . $b->($wl->check_from_in_list($pms, 'SUSP_NTLD'));
  push @out, "check_replyto_in_list_susp_ntld=" . $b->($wl->check_replyto_in_list($pms, 'SUSP_NTLD'));
  print join("\t", $rel, @out), "\n";
  $pms->finish(); $msg->finish();
}
