"""Clearinghouse simulator: a test double that takes 837s and answers with 999, 277CA and 835.

It runs as its own process (python -m tools.clearinghouse) and talks to the services the way a
real clearinghouse would: an 837 is POSTed to /v1/interchanges, the answers come back as
signed Standard Webhooks. All state (idempotent responses, received interchanges, control
numbers, payer claim control numbers, adjudications) is kept in memory: it is lost on restart,
which is fine for a test double, but within a run it is kept correctly - a repeated
Idempotency-Key is answered from memory, control and trace numbers are never reused, and a
claim version keeps its payer claim control number however often it is resubmitted.

Payer behaviour comes from payers.json: SIMACK acknowledges only, SIMPAY pays, SIMDNY denies (CO-4
for 99214 without modifier 25, CO-197 without prior authorization, else CO-50; it pays a replacement
that no longer has a coding or authorization problem), SIMREJ rejects at the 277CA, any other payer
id is rejected as not found. A frequency-7
replacement is adjudicated like an original under a new payer claim control number (its 835
carries REF*F8 with the replaced number); a frequency-8 void is acknowledged under the number
it voids and answered by an 835 reversal (CLP02 22, amounts negated) of that claim's last
adjudication, or by the 277CA alone when there is nothing to reverse.
"""
