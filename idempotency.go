package agentplane

// IdempotentResponse is the stored outcome of a POST sent with an
// Idempotency-Key (SPEC §1, §24). Status 0 means the first request with
// the key is still running.
type IdempotentResponse struct {
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   int64 // epoch milliseconds
}
