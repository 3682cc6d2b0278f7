"""Pure tests of intake's outbound webhooks: retry schedule, payload, signing."""
