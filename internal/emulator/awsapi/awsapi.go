// Package awsapi holds the wire-protocol plumbing shared by every service of the
// local AWS emulator: the request context (account, region, request id), AWS-shaped
// errors, the JSON 1.1 protocol (X-Amz-Target) and the Query protocol (form in,
// XML out) used by IAM and STS. Services only see decoded input and return
// output structs; they never touch HTTP.
package awsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Context is what every operation gets: who is calling, where, and the id
// that the response carries in x-amzn-RequestId.
type Context struct {
	context.Context
	Account   string
	Region    string
	RequestID string
	// AccessKeyID is the access key the request was signed with (the
	// Credential= part of its SigV4 Authorization header, or of a presigned
	// URL); unsigned calls are refused before any operation runs.
	// The emulator does not check signatures: it uses the key only to tell
	// who is calling, as STS's GetCallerIdentity does.
	AccessKeyID string
	// SessionToken is X-Amz-Security-Token, sent with temporary credentials.
	SessionToken string
}

// ARN builds an ARN in the caller's partition, region and account.
func (c *Context) ARN(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, c.Region, c.Account, resource)
}

// GlobalARN builds an ARN for a global service (IAM), which has no region.
func (c *Context) GlobalARN(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s::%s:%s", service, c.Account, resource)
}

// Error is an AWS client or server error: an HTTP status, the error code that
// the SDK maps to a typed exception, and AWS's message text.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NewError returns a client error (HTTP 400).
func NewError(code, message string) *Error {
	return &Error{Status: 400, Code: code, Message: message}
}

// Errorf returns a client error (HTTP 400) with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Status: 400, Code: code, Message: fmt.Sprintf(format, args...)}
}

// StatusError returns an error with an explicit HTTP status (IAM's 404 NoSuchEntity, 409 …).
func StatusError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Time is a timestamp that the JSON protocols encode as epoch seconds with a
// fractional part, as AWS does (for example 1700000000.123).
type Time time.Time

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Time) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	ms := tt.UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads epoch seconds (integer or fractional).
func (t *Time) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = Time(time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC())
	return nil
}

// TimePtr returns a *Time for an optional timestamp field.
func TimePtr(t time.Time) *Time { v := Time(t); return &v }

// EncodeToken makes an opaque pagination token from a position key.
func EncodeToken(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("berth:" + key))
}

// DecodeToken reads a token made by EncodeToken. ok is false for a token this
// emulator did not issue; callers answer that with the service's own error.
func DecodeToken(token string) (key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 6 || string(b[:6]) != "berth:" {
		return "", false
	}
	return string(b[6:]), true
}

// RawJSON is an operation's output that is already its response body. The
// router writes it as it is: json.Marshal would re-validate the bytes, which
// for a large answer built from stored documents costs as much as encoding
// it did. Only put JSON that encoding/json produced in it.
type RawJSON []byte

// Decode unmarshals a JSON request body. An empty body is an empty input.
func Decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return NewError("SerializationException", "Start of structure or map found where not expected.")
	}
	return nil
}
