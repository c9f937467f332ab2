package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/config"
	"github.com/berthhq/berth/internal/store"
)

const userUsage = `Usage: berth user <command> [flags]

Manage local accounts (the same --data-dir or --database-url as serve):
  add --username NAME --role viewer|editor|admin [--scope PREFIX] --password-stdin
  list
  set-role --username NAME --role ROLE [--scope PREFIX]
  disable --username NAME        (ends every session of the user)
  enable --username NAME
  reset-password --username NAME --password-stdin   (ends every session)
`

// userCommand runs `berth user …` on Berth's store directly, for the
// first admin on a headless server and as the break-glass way in. Every
// change is in the audit trail, done by "cli:<system user>".
func userCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") || args[0] == "help" {
		fmt.Fprint(stderr, userUsage)
		if len(args) > 0 && args[0] == "help" {
			return nil
		}
		return errors.New("berth user needs a command")
	}
	sub, args := args[0], args[1:]
	var username, role, scope string
	var passwordStdin bool
	cfg, err := config.ParseWith("berth user "+sub, config.UserOptions, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "the account's username")
		fs.StringVar(&role, "role", "", "viewer, editor or admin")
		fs.StringVar(&scope, "scope", "", "optional name prefix limiting repositories, secrets and families")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DataDir, cfg.Team.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	username = auth.NormalizeUsername(username)
	actor := "cli"
	if u, err := user.Current(); err == nil {
		actor = "cli:" + u.Username
	}
	record := func(action string, before, after map[string]any) {
		e := store.AuditEntry{Actor: actor, Address: "local", Action: action, Resource: "user/" + username, Outcome: store.OutcomeSuccess}
		if before != nil || after != nil {
			for _, k := range []string{"role", "scope", "disabled"} {
				b, a := fmt.Sprint(before[k]), fmt.Sprint(after[k])
				if before == nil {
					b = ""
				}
				if b != a {
					e.Changes = append(e.Changes, store.Change{Field: k, Before: b, After: a})
				}
			}
		}
		if _, err := st.AppendAudit(ctx, e); err != nil {
			fmt.Fprintln(stderr, "warning: audit entry not recorded:", err)
		}
	}
	needUser := func() (store.User, error) {
		if username == "" {
			return store.User{}, errors.New("--username is required")
		}
		u, err := st.UserByUsername(ctx, username)
		if errors.Is(err, store.ErrNotFound) {
			return u, fmt.Errorf("there is no user named %q", username)
		}
		return u, err
	}
	readPassword := func() (string, error) {
		if !passwordStdin {
			return "", errors.New("--password-stdin is required: pipe the password in, so it stays out of the shell history")
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw := strings.TrimRight(line, "\r\n")
		if err := auth.CheckNewPassword(username, pw); err != nil {
			return "", err
		}
		return auth.HashPassword(pw)
	}
	settings := func(u store.User) map[string]any {
		return map[string]any{"role": u.Role, "scope": u.Scope, "disabled": u.Disabled}
	}

	switch sub {
	case "add":
		if msg := auth.CheckUsername(username); msg != "" {
			return errors.New(msg)
		}
		r, err := auth.ParseRole(role)
		if err != nil {
			return err
		}
		hash, err := readPassword()
		if err != nil {
			return err
		}
		u, err := st.CreateUser(ctx, store.User{Username: username, Role: string(r), Scope: scope, PasswordHash: hash})
		if err != nil {
			return err
		}
		record("user.create", nil, settings(u))
		fmt.Fprintf(stdout, "added %s (%s)\n", u.Username, u.Role)
	case "list":
		us, err := st.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tSCOPE\tSOURCE\tSTATUS")
		for _, u := range us {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.Scope, u.Source, status)
		}
		return tw.Flush()
	case "set-role":
		u, err := needUser()
		if err != nil {
			return err
		}
		r, err := auth.ParseRole(role)
		if err != nil {
			return err
		}
		before := settings(u)
		if err := st.SetRole(ctx, u.ID, string(r), scope); err != nil {
			return err
		}
		u.Role, u.Scope = string(r), scope
		record("user.set-role", before, settings(u))
		fmt.Fprintf(stdout, "%s is now %s\n", u.Username, u.Role)
	case "disable", "enable":
		u, err := needUser()
		if err != nil {
			return err
		}
		before := settings(u)
		if err := st.SetDisabled(ctx, u.ID, sub == "disable"); err != nil {
			return err
		}
		u.Disabled = sub == "disable"
		record("user."+sub, before, settings(u))
		fmt.Fprintf(stdout, "%s %sd\n", u.Username, sub)
	case "reset-password":
		u, err := needUser()
		if err != nil {
			return err
		}
		hash, err := readPassword()
		if err != nil {
			return err
		}
		if err := st.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
		record("user.reset-password", nil, nil)
		fmt.Fprintf(stdout, "password of %s reset; their sessions ended\n", u.Username)
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("unknown user command %q", sub)
	}
	return nil
}
