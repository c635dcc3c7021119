package app

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/config"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

const adminUsage = `Usage:
  agentplane admin bootstrap --org-name NAME --org-slug SLUG --email EMAIL
  agentplane admin keys list --org ORG
  agentplane admin keys create --org ORG --name NAME
  agentplane admin keys revoke --org ORG --key-id KEY_ID
  agentplane admin members list --org ORG
  agentplane admin members add --org ORG --email EMAIL [--role admin|viewer]

ORG is an organization id or slug. Every command also takes the database
flags of serve (--data-dir, --database-url) and their variables.
`

func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	return store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
}

// admin runs `agentplane admin …` against the database directly.
func admin(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, adminUsage)
		return errors.New("no admin command given")
	}
	name := args[0]
	if (name == "keys" || name == "members") && len(args) > 1 {
		name, args = name+" "+args[1], args[1:]
	}
	fs := flag.NewFlagSet("agentplane admin "+name, flag.ContinueOnError)
	f := struct{ orgName, orgSlug, email, org, keyName, keyID, role string }{}
	switch name {
	case "bootstrap":
		fs.StringVar(&f.orgName, "org-name", "", "organization name")
		fs.StringVar(&f.orgSlug, "org-slug", "", "organization slug")
		fs.StringVar(&f.email, "email", "", "email of the first admin")
	case "keys list", "members list":
		fs.StringVar(&f.org, "org", "", "organization id or slug")
	case "keys create":
		fs.StringVar(&f.org, "org", "", "organization id or slug")
		fs.StringVar(&f.keyName, "name", "", "key name")
	case "keys revoke":
		fs.StringVar(&f.org, "org", "", "organization id or slug")
		fs.StringVar(&f.keyID, "key-id", "", "key id to revoke")
	case "members add":
		fs.StringVar(&f.org, "org", "", "organization id or slug")
		fs.StringVar(&f.email, "email", "", "member email")
		fs.StringVar(&f.role, "role", "viewer", "admin or viewer")
	default:
		fmt.Fprint(env.Stderr, adminUsage)
		return fmt.Errorf("unknown admin command %q", name)
	}
	cfg, err := load(fs, args[1:], env)
	if err != nil {
		return err
	}
	switch name {
	case "bootstrap":
		err = required("org-name", f.orgName, "org-slug", f.orgSlug, "email", f.email)
	case "keys create":
		err = required("org", f.org, "name", f.keyName)
	case "keys revoke":
		err = required("org", f.org, "key-id", f.keyID)
	case "members add":
		err = required("org", f.org, "email", f.email)
	default:
		err = required("org", f.org)
	}
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(st, service.Options{})

	if name == "bootstrap" {
		res, err := svc.Bootstrap(ctx, service.BootstrapInput{OrgName: f.orgName, OrgSlug: f.orgSlug, Email: f.email})
		if err != nil {
			return err
		}
		return printJSON(env.Stdout, res)
	}
	org, err := svc.FindOrganization(ctx, f.org)
	if err != nil {
		return fmt.Errorf("organization %q: %w", f.org, err)
	}
	// The operator acts as an admin of the organization.
	op := &agentplane.Caller{OrganizationID: org.ID, Scopes: agentplane.RoleAdmin.Scopes()}
	switch name {
	case "keys list":
		l, err := svc.ListCredentials(ctx, store.CredentialOwner{OrganizationID: org.ID}, agentplane.Page{Limit: agentplane.MaxLimit})
		if err != nil {
			return err
		}
		return printJSON(env.Stdout, l.Items)
	case "keys create":
		nc, err := svc.CreateOrgKey(ctx, op, agentplane.CredentialInput{Name: f.keyName})
		if err != nil {
			return err
		}
		return printJSON(env.Stdout, map[string]string{"key_id": nc.ID, "org_key": nc.Token})
	case "keys revoke":
		if err := svc.RevokeCredential(ctx, store.CredentialOwner{OrganizationID: org.ID}, f.keyID); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "revoked", f.keyID)
		return nil
	case "members list":
		l, err := svc.ListMembers(ctx, op, agentplane.Page{Limit: agentplane.MaxLimit})
		if err != nil {
			return err
		}
		return printJSON(env.Stdout, l.Items)
	case "members add":
		m, err := svc.AddMember(ctx, op, agentplane.MemberInput{Email: f.email, Role: agentplane.Role(f.role)})
		if err != nil {
			return err
		}
		return printJSON(env.Stdout, m)
	}
	return nil
}
