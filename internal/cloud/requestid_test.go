package cloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRequestIDsAreCollected: the id AWS returns for a call made with a
// WithRequestIDs context is available to the audit trail afterwards, for
// successes and failures alike.
func TestRequestIDsAreCollected(t *testing.T) {
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		if fail {
			w.Header().Set("x-amzn-RequestId", "req-failed")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>req-failed</RequestId></ErrorResponse>`))
			return
		}
		w.Header().Set("x-amzn-RequestId", "req-ok")
		w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn><UserId>x</UserId></GetCallerIdentityResult><ResponseMetadata><RequestId>req-ok</RequestId></ResponseMetadata></GetCallerIdentityResponse>`))
	}))
	defer srv.Close()
	b := New(context.Background(), Options{Endpoint: srv.URL, Region: "us-east-1"})
	ctx := WithRequestIDs(context.Background())
	if LastRequestID(ctx) != "" {
		t.Fatal("id before any call")
	}
	if _, err := b.In("").STS.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := LastRequestID(ctx); got != "req-ok" {
		t.Errorf("after success: %q", got)
	}
	fail = true
	_, err := b.In("").STS.GetCallerIdentity(ctx, nil)
	if err == nil {
		t.Fatal("no error")
	}
	if got := LastRequestID(ctx); got != "req-failed" || RequestID(err) != "req-failed" {
		t.Errorf("after failure: %q, %q", got, RequestID(err))
	}
	if LastRequestID(context.Background()) != "" {
		t.Error("id without a collector")
	}
}
