-- Due deliveries are read in two parts (store.DueDeliveries): first
-- attempts in seq order, and retries by when they are due. With one index
-- of every pending row in seq order, a receiver that was down left
-- thousands of retries scheduled for later, and every read for a new
-- event stepped over all of them (17,000 rows, 13,000 buffers a read in
-- the bench).

-- +goose Up
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_new ON webhook_deliveries (endpoint_id, seq) WHERE status = 'pending' AND attempts = 0;
CREATE INDEX webhook_deliveries_retry ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending' AND attempts > 0;

-- +goose Down
DROP INDEX webhook_deliveries_retry;
DROP INDEX webhook_deliveries_new;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, seq) WHERE status = 'pending';
