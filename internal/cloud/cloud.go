// Package cloud is the only part of Berth that imports the AWS SDK. It builds
// the SDK clients for either backend (AWS, or the local emulator) and offers
// adapters per service that return Berth's own types and typed errors.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
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
	// Region is the default region; Profile an optional shared-config profile.
	Region, Profile string
	Observe         Observer
}

// Backend holds the SDK configuration and one set of clients per region.
type Backend struct {
	opts Options
	base aws.Config

	mu      sync.Mutex
	clients map[string]*Clients

	idMu     sync.Mutex
	identity Identity
	idErr    error
	idAt     time.Time
}

// Clients are the SDK clients for one region.
type Clients struct {
	Region         string
	ECR            *ecr.Client
	ECS            *ecs.Client
	SecretsManager *secretsmanager.Client
	IAM            *iam.Client
	STS            *sts.Client
	KMS            *kms.Client
	Logs           *cloudwatchlogs.Client
}

// New loads the SDK configuration: the default credential chain for AWS
// (environment, shared profiles including SSO, container and instance roles),
// or static credentials for the emulator. It does not call AWS, so bad
// credentials surface as page-level explanations rather than a failed start.
func New(ctx context.Context, opts Options) (*Backend, error) {
	loaders := []func(*config.LoadOptions) error{config.WithRegion(opts.Region)}
	if opts.Endpoint != "" {
		loaders = append(loaders,
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("berth-local", "berth-local", "")),
			config.WithBaseEndpoint(opts.Endpoint),
			// The emulator is on loopback; a retry only hides a real bug.
			config.WithRetryMaxAttempts(1),
		)
	} else if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Observe != nil {
		loaders = append(loaders, config.WithAPIOptions([]func(*middleware.Stack) error{observeMiddleware(opts.Observe)}))
	}
	loaders = append(loaders, config.WithAPIOptions([]func(*middleware.Stack) error{recordRequestIDs}))
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return &Backend{opts: opts, base: cfg, clients: map[string]*Clients{}}, nil
}

// Local reports whether the backend is the embedded emulator.
func (b *Backend) Local() bool { return b.opts.Endpoint != "" }

// Endpoint is the emulator's URL in local mode.
func (b *Backend) Endpoint() string { return b.opts.Endpoint }

// DefaultRegion is the configured region.
func (b *Backend) DefaultRegion() string { return b.base.Region }

// In returns the clients for a region ("" for the default region).
func (b *Backend) In(region string) *Clients {
	if region == "" {
		region = b.base.Region
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.clients[region]; ok {
		return c
	}
	cfg := b.base.Copy()
	cfg.Region = region
	c := &Clients{
		Region:         region,
		ECR:            ecr.NewFromConfig(cfg),
		ECS:            ecs.NewFromConfig(cfg),
		SecretsManager: secretsmanager.NewFromConfig(cfg),
		IAM:            iam.NewFromConfig(cfg),
		STS:            sts.NewFromConfig(cfg),
		KMS:            kms.NewFromConfig(cfg),
		Logs:           cloudwatchlogs.NewFromConfig(cfg),
	}
	b.clients[region] = c
	return c
}

// Identity is who Berth acts as.
type Identity struct {
	Account string
	ARN     string
}

// Identity asks STS who Berth is. A success is remembered for ten minutes
// and a failure for fifteen seconds, so pages do not call STS each time and
// fixed credentials are noticed quickly.
func (b *Backend) Identity(ctx context.Context) (Identity, error) {
	b.idMu.Lock()
	defer b.idMu.Unlock()
	ttl := 10 * time.Minute
	if b.idErr != nil {
		ttl = 15 * time.Second
	}
	if !b.idAt.IsZero() && time.Since(b.idAt) < ttl {
		return b.identity, b.idErr
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := b.In("").STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	b.idAt = time.Now()
	if err != nil {
		b.identity, b.idErr = Identity{}, err
		return Identity{}, err
	}
	b.identity = Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	b.idErr = nil
	return b.identity, nil
}

// Explain turns a credential or connection failure into what went wrong and
// how to fix it, in words for the person running Berth.
func Explain(err error) (problem, fix string) {
	msg := err.Error()
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	switch {
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

// ErrorCode returns the AWS error code of err ("" for errors that are not AWS's).
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
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
