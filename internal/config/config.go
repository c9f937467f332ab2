// Package config reads Berth's configuration from flags and the environment.
// A flag wins over its environment variable, which wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Backends Berth can talk to.
const (
	BackendLocal = "local"
	BackendAWS   = "aws"
)

// Config is Berth's configuration for `serve` and `emulator`.
type Config struct {
	Addr         string
	DataDir      string
	Backend      string
	EmulatorAddr string
	AccountID    string
	Region       string
	Profile      string
	Regions      []string
	BaseURL      string
	LogFormat    string
	SessionKeys  string
	// AssumeRoleARN, when set, is the role Berth assumes for each signed-in
	// person, with STS SourceIdentity set to their username; ExternalID
	// goes with it when the role's trust policy asks for one.
	AssumeRoleARN, ExternalID string
	// Team is sign-in, roles, read-only mode and the shared database.
	Team Team
}

// Option describes one setting: its flag, environment variable, default and help.
// The README's configuration table is this list.
type Option struct {
	Flag, Env, Default, Help string
	target                   func(*Config) *string
}

// Options lists every setting of `berth serve`.
var Options = []Option{
	{"addr", "BERTH_ADDR", "127.0.0.1:8080", "address the web UI listens on", func(c *Config) *string { return &c.Addr }},
	{"data-dir", "BERTH_DATA_DIR", "./data", "folder for Berth's own data and the local emulator's state (created 0700)", func(c *Config) *string { return &c.DataDir }},
	{"backend", "BERTH_BACKEND", BackendLocal, "local (embedded AWS emulator, nothing touches AWS) or aws", func(c *Config) *string { return &c.Backend }},
	{"emulator-addr", "BERTH_EMULATOR_ADDR", "127.0.0.1:4566", "local backend: address where the emulator also listens for the AWS CLI", func(c *Config) *string { return &c.EmulatorAddr }},
	{"account-id", "BERTH_ACCOUNT_ID", "000000000000", "local backend: the emulated account id", func(c *Config) *string { return &c.AccountID }},
	{"region", "AWS_REGION", "", "region Berth works in; default: the SDK's region (profile, AWS_REGION, AWS_DEFAULT_REGION), else us-east-1; local backend: us-east-1 (the emulator serves every region)", func(c *Config) *string { return &c.Region }},
	{"profile", "AWS_PROFILE", "", "aws backend: shared config profile (SSO profiles work)", func(c *Config) *string { return &c.Profile }},
	{"assume-role-arn", "BERTH_ASSUME_ROLE_ARN", "", "role Berth assumes for each signed-in person, with STS SourceIdentity set to their username so CloudTrail names them", func(c *Config) *string { return &c.AssumeRoleARN }},
	{"assume-role-external-id", "BERTH_ASSUME_ROLE_EXTERNAL_ID", "", "external id passed with --assume-role-arn, when the role's trust policy requires one", func(c *Config) *string { return &c.ExternalID }},
	{"regions", "BERTH_REGIONS", "", "comma list of regions offered by the region switcher", nil},
	{"base-url", "BERTH_BASE_URL", "", "public URL of Berth; https makes cookies Secure", func(c *Config) *string { return &c.BaseURL }},
	{"log-format", "BERTH_LOG_FORMAT", "text", "text or json", func(c *Config) *string { return &c.LogFormat }},
	{"session-keys", "BERTH_SESSION_KEYS", "", "session signing and encryption keys (hex, two 32-byte keys joined by a comma); generated into the data dir when empty", func(c *Config) *string { return &c.SessionKeys }},
}

// ParseEmulator reads the settings of `berth emulator`. Its --addr is the
// address the emulator listens on: the setting `berth serve` calls
// --emulator-addr, from the same BERTH_EMULATOR_ADDR.
func ParseEmulator(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	var addr string
	c, err := ParseWith("berth emulator", []string{"data-dir", "account-id", "log-format"}, args, getenv, stderr, func(fs *flag.FlagSet) {
		def := "127.0.0.1:4566"
		if v := getenv("BERTH_EMULATOR_ADDR"); v != "" {
			def = v
		}
		fs.StringVar(&addr, "addr", def, "address the emulator listens on (env BERTH_EMULATOR_ADDR)")
	})
	if c != nil {
		c.EmulatorAddr = addr
	}
	return c, err
}

// Parse reads the named options (all when names is nil) from args and getenv.
func Parse(name string, names []string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	return ParseWith(name, names, args, getenv, stderr, nil)
}

// ParseWith is Parse for commands with flags of their own: extra adds them
// to the flag set before parsing.
func ParseWith(name string, names []string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	fs.SetOutput(stderr)
	c := &Config{}
	var regions string
	wanted := func(flagName string) bool {
		if names == nil {
			return true
		}
		for _, n := range names {
			if n == flagName {
				return true
			}
		}
		return false
	}
	for _, o := range Options {
		def := o.Default
		if v := getenv(o.Env); v != "" {
			def = v
		}
		if o.target == nil {
			regions = def
			if wanted(o.Flag) {
				fs.StringVar(&regions, o.Flag, def, o.Help+" (env "+o.Env+")")
			}
			continue
		}
		p := o.target(c)
		*p = def
		if wanted(o.Flag) {
			fs.StringVar(p, o.Flag, def, o.Help+" (env "+o.Env+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, r := range strings.Split(regions, ",") {
		if r = strings.TrimSpace(r); r != "" {
			c.Regions = append(c.Regions, r)
		}
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	var errs []error
	if c.Backend != BackendLocal && c.Backend != BackendAWS {
		errs = append(errs, fmt.Errorf("--backend must be %q or %q, not %q", BackendLocal, BackendAWS, c.Backend))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--base-url must be an http or https URL, not %q", c.BaseURL))
		}
	}
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("--account-id must be 12 digits, not %q", c.AccountID))
	}
	if c.AssumeRoleARN != "" && !roleARN.MatchString(c.AssumeRoleARN) {
		errs = append(errs, fmt.Errorf("--assume-role-arn must be an IAM role ARN (arn:aws:iam::123456789012:role/name), not %q", c.AssumeRoleARN))
	}
	if c.ExternalID != "" {
		if c.AssumeRoleARN == "" {
			errs = append(errs, errors.New("--assume-role-external-id needs --assume-role-arn"))
		}
		if len(c.ExternalID) < 2 || len(c.ExternalID) > 1224 || !externalID.MatchString(c.ExternalID) {
			errs = append(errs, errors.New("--assume-role-external-id must be 2 to 1224 letters, digits or +=,.@:/-_"))
		}
	}
	errs = append(errs, c.validateTeam()...)
	if c.Region == "" && c.Backend == BackendLocal {
		c.Region = LocalRegion
	}
	if c.Region != "" {
		c.UseRegion(c.Region)
	}
	return errors.Join(errs...)
}

// LocalRegion is the local backend's region when none is configured. The
// aws backend without one takes the SDK's (the profile's region,
// AWS_DEFAULT_REGION), which only the backend knows: it calls UseRegion.
const LocalRegion = "us-east-1"

// UseRegion makes region the one Berth works in by default, and one of the
// region switcher's when the switcher is on.
func (c *Config) UseRegion(region string) {
	c.Region = region
	if len(c.Regions) > 0 && !contains(c.Regions, region) {
		c.Regions = append([]string{region}, c.Regions...)
	}
}

var (
	roleARN    = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/([\x21-\x7E]*/)?[\w+=,.@-]{1,64}$`)
	externalID = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

// SecureCookies reports whether Berth is served over https.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
