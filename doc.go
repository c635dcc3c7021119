// Package agentplane is the domain of the agentplane control plane: the
// resources it keeps (organizations, credentials, agents), the rules that
// hold for them whatever the storage or transport, and the error codes every
// layer speaks. It imports only the standard library and uuid, so both the
// HTTP layer and the store depend on it and never the other way round.
package agentplane
