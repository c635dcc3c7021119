package app

import (
	"context"
	"log/slog"
	"net"

	"github.com/agentplane/agentplane/internal/config"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/sip"
	"github.com/prometheus/client_golang/prometheus"
)

// newSIP builds the SIP front door (SPEC §22) when --sip-listen names
// listeners, bound but not yet serving; nil when it is off.
func newSIP(cfg config.Config, svc *service.Service, log *slog.Logger, reg prometheus.Registerer) (*sip.Server, error) {
	if len(cfg.SIPListen) == 0 {
		return nil, nil
	}
	listen := make([]sip.Listen, len(cfg.SIPListen))
	for i, l := range cfg.SIPListen {
		listen[i] = sip.Listen{Network: l.Network, Addr: l.Addr}
	}
	return sip.New(sip.Config{Listen: listen, Backend: cfg.SIPBackend, RatePerSecond: cfg.SIPRateLimit,
		AllowCIDRs: cfg.SIPAllowCIDRs, Advertise: cfg.SIPAdvertise, Logger: log, Registry: reg}, svc)
}

// shutdownSIP lets the front door's calls finish within ctx (the
// shutdown timeout), beside the HTTP server's drain; done closes when it
// has stopped.
func (a *App) shutdownSIP(ctx context.Context) (done <-chan struct{}) {
	ch := make(chan struct{})
	if a.sip == nil {
		close(ch)
		return ch
	}
	go func() {
		defer close(ch)
		_ = a.sip.Shutdown(ctx)
	}()
	return ch
}

// SIPAddrs are the SIP front door's listener addresses, in the order of
// --sip-listen (none when it is off): tests learn the ports of :0 here.
func (a *App) SIPAddrs() []net.Addr {
	if a.sip == nil {
		return nil
	}
	return a.sip.Addrs()
}

// SIP is the node's SIP front door, nil when --sip-listen is empty.
func (a *App) SIP() *sip.Server { return a.sip }
