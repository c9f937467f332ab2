// Package cloud is the only part of Berth that imports the AWS SDK. It builds
// the SDK clients for either backend (AWS, or the local emulator) and offers
// adapters per service that return Berth's own types and typed errors.
package cloud

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// Observer is told about every AWS call: service, operation, outcome
// ("ok" or the error code) and duration. Berth feeds it into /metrics.
type Observer func(service, operation, outcome string, d time.Duration)

// Options select the backend.
type Options struct {
	// Endpoint, when set, points every client at the local emulator with
	// static throwaway credentials. Empty means real AWS.
	Endpoint string
	// Region is the default region ("": the SDK's, else FallbackRegion);
	// Profile an optional shared-config profile.
	Region, Profile string
	Observe         Observer
	// AssumeRoleARN, when set, is the role that the clients of a signed-in
	// person (For) assume, with STS SourceIdentity set to the person's
	// username so that CloudTrail names them. ExternalID goes with each
	// AssumeRole call when set.
	AssumeRoleARN, ExternalID string
}

// Backend holds the SDK configuration and one set of clients per region.
type Backend struct {
	opts Options
	base aws.Config
	// configErr is why the AWS configuration could not be loaded.
	configErr *ConfigError

	mu      sync.Mutex
	clients map[clientKey]*Clients

	idMu       sync.Mutex
	identities map[string]*cachedIdentity
}

// clientKey names one set of clients: a region, and the person they act
// for ("" for Berth's own credentials).
type clientKey struct{ region, username string }

type cachedIdentity struct {
	identity Identity
	err      error
	at       time.Time
}

// Clients are the SDK clients for one region.
type Clients struct {
	Region string
	// Username is the person the clients act for by assuming the configured
	// role, "" when they use Berth's own credentials.
	Username       string
	ECR            *ecr.Client
	ECS            *ecs.Client
	SecretsManager *secretsmanager.Client
	IAM            *iam.Client
	STS            *sts.Client
	KMS            *kms.Client
	Logs           *cloudwatchlogs.Client
}

// FallbackRegion is the region Berth works in when neither Options.Region
// nor the SDK's sources (AWS_REGION, AWS_DEFAULT_REGION, the profile's
// region) name one.
const FallbackRegion = "us-east-1"

// New loads the SDK configuration: the default credential chain for AWS
// (environment, shared profiles including SSO, container and instance roles),
// or static credentials for the emulator. It does not call AWS, so bad
// credentials surface as page-level explanations rather than a failed start.
// A configuration that cannot be loaded at all (a missing profile, a broken
// config file) does not fail New either: the backend keeps the error
// (ConfigErr) and every AWS call fails with it, so pages explain it.
func New(ctx context.Context, opts Options) *Backend {
	var apiOptions []func(*middleware.Stack) error
	if opts.Observe != nil {
		apiOptions = append(apiOptions, observeMiddleware(opts.Observe))
	}
	apiOptions = append(apiOptions, recordRequestIDs)
	b := &Backend{opts: opts, clients: map[clientKey]*Clients{}, identities: map[string]*cachedIdentity{}}
	b.base = b.loadConfig(ctx, apiOptions)
	if b.base.Region == "" {
		b.base.Region = FallbackRegion
	}
	return b
}

// loadConfig is the SDK configuration New starts from, its region possibly
// still empty.
func (b *Backend) loadConfig(ctx context.Context, apiOptions []func(*middleware.Stack) error) aws.Config {
	opts := b.opts
	if opts.Endpoint != "" {
		// The emulator needs nothing from the machine's AWS setup: a
		// profile or region meant for real AWS must not change or stop
		// local mode, so the configuration is built here, not loaded.
		return aws.Config{
			Region:       opts.Region,
			Credentials:  credentials.NewStaticCredentialsProvider("berth-local", "berth-local", ""),
			BaseEndpoint: aws.String(opts.Endpoint),
			// The emulator is on loopback; a retry only hides a real bug.
			RetryMaxAttempts: 1,
			APIOptions:       apiOptions,
			Logger:           logging.NewStandardLogger(os.Stderr), // as LoadDefaultConfig's
		}
	}
	loaders := []func(*config.LoadOptions) error{config.WithAPIOptions(apiOptions)}
	if opts.Region != "" {
		// Given: it wins over the SDK's own sources.
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err == nil {
		return cfg
	}
	env, _ := config.NewEnvConfig() // what the environment says, for the explanation and the region
	b.configErr = newConfigError(opts.Profile, env, err)
	// Clients still exist, in the region Berth was given, and fail every
	// call with the error before anything is sent.
	cfg = aws.Config{Region: opts.Region, APIOptions: append(apiOptions, failWith(b.configErr)), Logger: logging.NewStandardLogger(os.Stderr)}
	if cfg.Region == "" {
		cfg.Region = env.Region // AWS_REGION, AWS_DEFAULT_REGION
	}
	return cfg
}

// ConfigError is the AWS configuration that could not be loaded: every AWS
// call of the backend fails with it until Berth restarts with a fixed one.
type ConfigError struct {
	// Profile is the shared-config profile that was asked for ("" for none),
	// Files the shared config and credentials files it was looked for in.
	Profile string
	Files   []string
	Err     error
}

func (e *ConfigError) Error() string { return "load AWS configuration: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func newConfigError(profile string, env config.EnvConfig, err error) *ConfigError {
	var nf config.SharedConfigProfileNotExistError
	if errors.As(err, &nf) {
		profile = nf.Profile
	} else if profile == "" {
		profile = env.SharedConfigProfile // AWS_PROFILE, AWS_DEFAULT_PROFILE
	}
	files := []string{config.DefaultSharedConfigFilename(), config.DefaultSharedCredentialsFilename()}
	if env.SharedConfigFile != "" {
		files[0] = env.SharedConfigFile
	}
	if env.SharedCredentialsFile != "" {
		files[1] = env.SharedCredentialsFile
	}
	return &ConfigError{Profile: profile, Files: files, Err: err}
}

// failWith makes every call fail with err before it is signed or sent. The
// SDK wraps it as the operation's error, like any failed call.
func failWith(err error) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("BerthConfigError",
			func(context.Context, middleware.InitializeInput, middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return middleware.InitializeOutput{}, middleware.Metadata{}, err
			}), middleware.After)
	}
}

// ConfigErr is the error the AWS configuration failed to load with, nil when
// it loaded.
func (b *Backend) ConfigErr() error {
	if b.configErr == nil {
		return nil
	}
	return b.configErr
}

// Local reports whether the backend is the embedded emulator.
func (b *Backend) Local() bool { return b.opts.Endpoint != "" }

// Endpoint is the emulator's URL in local mode.
func (b *Backend) Endpoint() string { return b.opts.Endpoint }

// DefaultRegion is the region Berth works in unless a person picks another:
// Options.Region, else the SDK's, else FallbackRegion.
func (b *Backend) DefaultRegion() string { return b.base.Region }

// AssumedRoleARN is the role assumed for signed-in people, "" when none is configured.
func (b *Backend) AssumedRoleARN() string { return b.opts.AssumeRoleARN }

// In returns the clients for a region ("" for the default region) that use
// Berth's own credentials: for work done for nobody in particular.
func (b *Backend) In(region string) *Clients { return b.For(region, "") }

// For returns the clients for a region that act for a signed-in person.
// With a role configured they sign with that role's temporary credentials,
// assumed with SourceIdentity = username and RoleSessionName =
// "berth-<username>", and cached per person and region by the SDK's
// credentials cache, which renews them shortly before they expire. Without
// a role, or for username "", they are In(region)'s.
func (b *Backend) For(region, username string) *Clients {
	if region == "" {
		region = b.base.Region
	}
	if b.opts.AssumeRoleARN == "" {
		username = ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	key := clientKey{region, username}
	if c, ok := b.clients[key]; ok {
		return c
	}
	cfg := b.base.Copy()
	cfg.Region = region
	if username != "" {
		// The AssumeRole calls go through an STS client with Berth's own
		// credentials in the same region.
		base := sts.NewFromConfig(cfg)
		provider := stscreds.NewAssumeRoleProvider(base, b.opts.AssumeRoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = SessionName(username)
			o.SourceIdentity = aws.String(SourceIdentity(username))
			if b.opts.ExternalID != "" {
				o.ExternalID = aws.String(b.opts.ExternalID)
			}
			// One hour is what every role allows, role chaining included
			// (Berth itself running with an assumed role).
			o.Duration = time.Hour
		})
		cfg.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
			o.ExpiryWindow = 5 * time.Minute
		})
	}
	c := &Clients{
		Region:         region,
		Username:       username,
		ECR:            ecr.NewFromConfig(cfg),
		ECS:            ecs.NewFromConfig(cfg),
		SecretsManager: secretsmanager.NewFromConfig(cfg),
		IAM:            iam.NewFromConfig(cfg),
		STS:            sts.NewFromConfig(cfg),
		KMS:            kms.NewFromConfig(cfg),
		Logs:           cloudwatchlogs.NewFromConfig(cfg),
	}
	b.clients[key] = c
	return c
}

// SourceIdentity is username as STS takes a source identity: 2–64 of
// letters, digits and _+=,.@- . Other characters become '_', a longer name
// is cut at 64 and a one-character name gets a trailing '_'. Berth's own
// usernames never need more than the cut.
func SourceIdentity(username string) string {
	s := stsSafe(username, 64)
	if len(s) < 2 {
		s += strings.Repeat("_", 2-len(s))
	}
	return s
}

// SessionName is the role session name for username: "berth-" and the
// name, made to fit STS's 2–64 characters of _+=,.@- and alphanumerics.
func SessionName(username string) string { return stsSafe("berth-"+username, 64) }

func stsSafe(s string, max int) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', strings.ContainsRune("_+=,.@-", r):
			b = append(b, byte(r))
		default:
			b = append(b, '_')
		}
		if len(b) == max {
			break
		}
	}
	return string(b)
}

// Identity is who Berth acts as.
type Identity struct {
	Account string
	ARN     string
}

// Identity asks STS who Berth is with its own credentials. A success is
// remembered for ten minutes and a failure for fifteen seconds, so pages do
// not call STS each time and fixed credentials are noticed quickly.
func (b *Backend) Identity(ctx context.Context) (Identity, error) {
	return b.IdentityFor(ctx, "")
}

// IdentityFor is Identity for the clients that act for username (For): the
// assumed role's session when a role is configured, which may be in
// another account than Berth's own credentials.
func (b *Backend) IdentityFor(ctx context.Context, username string) (Identity, error) {
	if b.opts.AssumeRoleARN == "" {
		username = ""
	}
	b.idMu.Lock()
	defer b.idMu.Unlock()
	c := b.identities[username]
	if c == nil {
		c = &cachedIdentity{}
		b.identities[username] = c
	}
	ttl := 10 * time.Minute
	if c.err != nil {
		ttl = 15 * time.Second
	}
	if !c.at.IsZero() && time.Since(c.at) < ttl {
		return c.identity, c.err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := b.For("", username).STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	c.at = time.Now()
	if err != nil {
		c.identity, c.err = Identity{}, err
		return Identity{}, err
	}
	c.identity = Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	c.err = nil
	return c.identity, nil
}

// Explain turns a credential or connection failure into what went wrong and
// how to fix it, in words for the person running Berth.
func Explain(err error) (problem, fix string) {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ce.explain()
	}
	msg := err.Error()
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	switch {
	case strings.Contains(msg, "STS: AssumeRole") && (code == "AccessDenied" || code == "AccessDeniedException"):
		return "Berth may not assume the configured role (" + code + ": " + ErrorMessage(err) + ").",
			"The role's trust policy must allow Berth's own identity sts:AssumeRole and sts:SetSourceIdentity (and the external id, when one is configured); see Berth's README."
	case strings.Contains(msg, "failed to refresh cached credentials") && strings.Contains(msg, "SSO"),
		strings.Contains(msg, "refresh cached SSO token failed"):
		return "the SSO session has expired.", "Run `aws sso login` for the profile Berth uses, then reload this page."
	case strings.Contains(msg, "no EC2 IMDS role found"), strings.Contains(msg, "failed to retrieve credentials"),
		strings.Contains(msg, "get credentials"):
		return "no AWS credentials were found.", "Set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run Berth with an instance or task role. Or start Berth with --backend local to use the built-in emulator."
	case code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired":
		return "the AWS credentials have expired.", "Refresh them (for example `aws sso login`, or new temporary keys) and reload this page."
	case code == "InvalidClientTokenId" || code == "UnrecognizedClientException" || code == "SignatureDoesNotMatch":
		return "AWS did not accept the credentials (" + code + ").", "Check the access key and secret key, or the profile Berth uses."
	case code == "AccessDenied" || code == "AccessDeniedException":
		return "the credentials are not allowed to do this (" + code + ").", "Grant the IAM permissions listed in Berth's README."
	case strings.Contains(msg, "dial tcp"), strings.Contains(msg, "no such host"), strings.Contains(msg, "connection refused"):
		return "AWS could not be reached over the network.", "Check the network, a proxy (HTTPS_PROXY) and the region (" + msg + ")."
	}
	return msg, ""
}

// explain says which profile could not be loaded, where it was looked for,
// and how to fix it. The configuration is loaded once, at start.
func (e *ConfigError) explain() (problem, fix string) {
	where := strings.Join(e.Files, " or ")
	local := " Or start Berth with --backend local to use the built-in emulator. Restart Berth after the change."
	var nf config.SharedConfigProfileNotExistError
	if errors.As(e.Err, &nf) {
		return "the AWS profile \"" + e.Profile + "\" (from --profile or AWS_PROFILE) was not found in " + where + ".",
			"Create it with `aws configure --profile " + e.Profile + "` (or `aws configure sso` for an SSO profile), point AWS_CONFIG_FILE at the file that defines it, name an existing profile with --profile, or unset AWS_PROFILE to use the default credential chain." + local
	}
	problem = "Berth could not load the AWS configuration (" + e.Err.Error() + ")."
	if e.Profile != "" {
		problem = "the AWS profile \"" + e.Profile + "\" could not be loaded (" + e.Err.Error() + ")."
	}
	return problem, "Correct the profile in " + where + " (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name other files), name another profile with --profile or AWS_PROFILE, or unset them to use the default credential chain." + local
}

// ErrorCode returns the AWS error code of err ("" for errors that are not AWS's).
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// IsAWSCall reports whether err is the failure of a call to AWS: an answer
// AWS refused, or a call that could not be made (credentials, network).
func IsAWSCall(err error) bool {
	var oe *smithy.OperationError
	return errors.As(err, &oe)
}

// ErrorMessage returns AWS's message for err, or err's text.
func ErrorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// observeMiddleware reports each call's outcome once the SDK has finished
// with it, retries included.
func observeMiddleware(obs Observer) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("BerthObserve",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleInitialize(ctx, in)
				outcome := "ok"
				if err != nil {
					outcome = ErrorCode(err)
					if outcome == "" {
						outcome = "error"
					}
				}
				obs(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), outcome, time.Since(start))
				return out, md, err
			}), middleware.After)
	}
}
