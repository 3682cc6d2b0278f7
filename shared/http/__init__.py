"""HTTP edge pieces every service shares: RFC 9457 problems, health, webhook and tenant checks."""
