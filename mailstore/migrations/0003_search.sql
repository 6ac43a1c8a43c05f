-- Reserved for full-text search (local archive).
SELECT 1;
