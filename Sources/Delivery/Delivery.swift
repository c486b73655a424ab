// Queued mail out: local Maildir delivery for the virtual domains, SMTP to the next hop
// for the rest (MX lookup or relayhost), behind Queue's `QueueDeliverer` seam.
