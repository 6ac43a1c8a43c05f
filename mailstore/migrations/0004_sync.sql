-- Reserved for the sync engine.
SELECT 1;
