package cloud

import (
	"context"
	"errors"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
)

type requestIDsKey struct{}

type requestIDs struct {
	mu  sync.Mutex
	ids []string
}

// WithRequestIDs returns a context in which every AWS call records its
// request id, so the audit trail can name the AWS request behind a change
// without every adapter passing ids back.
func WithRequestIDs(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestIDsKey{}, &requestIDs{})
}

// LastRequestID is the request id of the latest AWS call made with ctx (or
// a context derived from it), "" when there was none.
func LastRequestID(ctx context.Context) string {
	c, _ := ctx.Value(requestIDsKey{}).(*requestIDs)
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ids) == 0 {
		return ""
	}
	return c.ids[len(c.ids)-1]
}

// RequestID is the AWS request id carried by an SDK error, or "".
func RequestID(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

// recordRequestIDs is the SDK middleware behind WithRequestIDs.
func recordRequestIDs(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("BerthRequestIDs",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if c, _ := ctx.Value(requestIDsKey{}).(*requestIDs); c != nil {
				id, _ := awsmiddleware.GetRequestIDMetadata(md)
				if id == "" {
					id = RequestID(err)
				}
				if id != "" {
					c.mu.Lock()
					c.ids = append(c.ids, id)
					c.mu.Unlock()
				}
			}
			return out, md, err
		}), middleware.After)
}
