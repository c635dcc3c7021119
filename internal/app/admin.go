package app

import (
	"context"
	"flag"
	"fmt"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/config"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	return store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
}

// adminCommand is `agentplane admin …`: bootstrap, keys and members
// against the database directly, with the database settings of serve.
func adminCommand() *command {
	return &command{
		name: "admin", summary: "bootstrap, keys and members without HTTP (ORG is an organization id or slug)",
		subs: []*command{
			{
				name: "bootstrap", synopsis: "--org-name NAME --org-slug SLUG --email EMAIL", settings: config.Database,
				summary: "create an organization, its admin, an org key and a personal token, and print them once as JSON",
				flags:   adminBootstrap,
			},
			{
				name: "keys", summary: "an organization's API keys",
				subs: []*command{
					{name: "list", synopsis: "--org ORG", summary: "list an organization's keys (never their secrets)", settings: config.Database, flags: adminKeysList},
					{name: "create", synopsis: "--org ORG --name NAME", summary: "create an admin org key and print it once", settings: config.Database, flags: adminKeysCreate},
					{name: "revoke", synopsis: "--org ORG --key-id KEY_ID", summary: "revoke a key; it fails with 401 from then on", settings: config.Database, flags: adminKeysRevoke},
				},
			},
			{
				name: "members", summary: "an organization's members",
				subs: []*command{
					{name: "list", synopsis: "--org ORG", summary: "list an organization's members", settings: config.Database, flags: adminMembersList},
					{name: "add", synopsis: "--org ORG --email EMAIL [--role admin|viewer]", summary: "add a member, creating the user if new", settings: config.Database, flags: adminMembersAdd},
				},
			},
		},
	}
}

func adminBootstrap(fs *flag.FlagSet) action {
	name := fs.String("org-name", "", "organization name (required)")
	slug := fs.String("org-slug", "", "organization slug (required)")
	email := fs.String("email", "", "email of the first admin (required)")
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("org-name", *name, "org-slug", *slug, "email", *email); err != nil {
			return err
		}
		st, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		res, err := service.New(st, service.Options{}).Bootstrap(ctx, service.BootstrapInput{OrgName: *name, OrgSlug: *slug, Email: *email})
		if err != nil {
			return err
		}
		return printJSON(env.Stdout, res)
	}
}

// orgFlag registers --org, which every command but bootstrap takes.
func orgFlag(fs *flag.FlagSet) *string {
	return fs.String("org", "", "organization id or slug (required)")
}

// asAdmin opens the database, finds the organization ref names, and runs
// fn as the operator: the system caller of that organization.
func asAdmin(ctx context.Context, cfg config.Config, ref string, fn func(svc *service.Service, op *agentplane.Caller) error) error {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(st, service.Options{})
	org, err := svc.FindOrganization(ctx, ref)
	if err != nil {
		return fmt.Errorf("organization %q: %w", ref, err)
	}
	return fn(svc, agentplane.SystemCaller(org.ID))
}

func adminKeysList(fs *flag.FlagSet) action {
	org := orgFlag(fs)
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("org", *org); err != nil {
			return err
		}
		return asAdmin(ctx, cfg, *org, func(svc *service.Service, op *agentplane.Caller) error {
			l, err := svc.ListOrgKeys(ctx, op, agentplane.Page{Limit: agentplane.MaxLimit})
			if err != nil {
				return err
			}
			return printJSON(env.Stdout, l.Items)
		})
	}
}

func adminKeysCreate(fs *flag.FlagSet) action {
	org := orgFlag(fs)
	name := fs.String("name", "", "key name (required)")
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("org", *org, "name", *name); err != nil {
			return err
		}
		return asAdmin(ctx, cfg, *org, func(svc *service.Service, op *agentplane.Caller) error {
			nc, err := svc.CreateOrgKey(ctx, op, agentplane.CredentialInput{Name: *name})
			if err != nil {
				return err
			}
			return printJSON(env.Stdout, map[string]string{"key_id": nc.ID, "org_key": nc.Token})
		})
	}
}

func adminKeysRevoke(fs *flag.FlagSet) action {
	org := orgFlag(fs)
	keyID := fs.String("key-id", "", "id of the key to revoke (required)")
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("org", *org, "key-id", *keyID); err != nil {
			return err
		}
		return asAdmin(ctx, cfg, *org, func(svc *service.Service, op *agentplane.Caller) error {
			if err := svc.RevokeOrgKey(ctx, op, *keyID); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "revoked", *keyID)
			return nil
		})
	}
}

func adminMembersList(fs *flag.FlagSet) action {
	org := orgFlag(fs)
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("org", *org); err != nil {
			return err
		}
		return asAdmin(ctx, cfg, *org, func(svc *service.Service, op *agentplane.Caller) error {
			l, err := svc.ListMembers(ctx, op, agentplane.Page{Limit: agentplane.MaxLimit})
			if err != nil {
				return err
			}
			return printJSON(env.Stdout, l.Items)
		})
	}
}

func adminMembersAdd(fs *flag.FlagSet) action {
	org := orgFlag(fs)
	email := fs.String("email", "", "member email (required)")
	role := fs.String("role", "viewer", "admin or viewer")
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("org", *org, "email", *email); err != nil {
			return err
		}
		return asAdmin(ctx, cfg, *org, func(svc *service.Service, op *agentplane.Caller) error {
			m, err := svc.AddMember(ctx, op, agentplane.MemberInput{Email: *email, Role: agentplane.Role(*role)})
			if err != nil {
				return err
			}
			if u := cfg.PublicURL; u != nil {
				m.InviteURL = u.String() + m.InviteURL
			}
			return printJSON(env.Stdout, m)
		})
	}
}
