package awsapi

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// JSONOp is one operation of a JSON 1.1 service: the raw request body in,
// an output value (marshalled as the response body) or an error out.
type JSONOp func(c *Context, body []byte) (any, error)

// Op adapts a typed operation to a JSONOp: it decodes the body into In and
// answers SerializationException for a body that is not the right JSON.
func Op[In, Out any](fn func(c *Context, in *In) (*Out, error)) JSONOp {
	return func(c *Context, body []byte) (any, error) {
		in := new(In)
		if err := Decode(body, in); err != nil {
			return nil, err
		}
		out, err := fn(c, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// JSONService is a service spoken in AWS JSON 1.1: requests are POST / with
// X-Amz-Target: <TargetPrefix>.<Operation>.
type JSONService struct {
	// TargetPrefix is the part of X-Amz-Target before the dot,
	// for example "AmazonEC2ContainerRegistry_V20150921".
	TargetPrefix string
	// MessageKey is the error body's message key: "message" for most
	// services, "Message" for Secrets Manager.
	MessageKey string
	Ops        map[string]JSONOp
}

// QueryOp is one operation of a Query-protocol service: the form values in,
// a result struct out, encoded as XML inside <Action>Result.
type QueryOp func(c *Context, form url.Values) (any, error)

// QueryService is a service spoken in the AWS Query protocol (IAM, STS).
type QueryService struct {
	// Name is the SigV4 signing name ("iam", "sts").
	Name string
	// XMLNS is the namespace of responses, for example
	// "https://iam.amazonaws.com/doc/2010-05-08/".
	XMLNS string
	Ops   map[string]QueryOp
}

// Router dispatches AWS requests to services by protocol. It is the emulator's
// single HTTP entry point.
type Router struct {
	account string
	log     *slog.Logger
	json    map[string]*JSONService
	query   map[string]*QueryService
	// Fallback serves requests that are not AWS API calls (the registry's /v2/).
	Fallback http.Handler
}

// NewRouter returns a router that answers for the given account id.
func NewRouter(account string, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{account: account, log: log, json: map[string]*JSONService{}, query: map[string]*QueryService{}}
}

// Account is the account id the router answers for.
func (r *Router) Account() string { return r.account }

// Operations lists what the router serves, sorted: each JSON operation's
// X-Amz-Target ("<prefix>.<Operation>") and each Query action as
// "<signing name>:<Action>".
func (r *Router) Operations() (jsonTargets, queryActions []string) {
	for prefix, s := range r.json {
		for op := range s.Ops {
			jsonTargets = append(jsonTargets, prefix+"."+op)
		}
	}
	for name, s := range r.query {
		for action := range s.Ops {
			queryActions = append(queryActions, name+":"+action)
		}
	}
	slices.Sort(jsonTargets)
	slices.Sort(queryActions)
	return jsonTargets, queryActions
}

// AddJSON registers a JSON 1.1 service.
func (r *Router) AddJSON(s *JSONService) { r.json[s.TargetPrefix] = s }

// AddQuery registers a Query-protocol service.
func (r *Router) AddQuery(s *QueryService) { r.query[s.Name] = s }

const maxBody = 16 << 20

// errMissingToken answers an AWS call that is neither signed nor presigned:
// the common error every AWS API reference lists ("Common Errors"). Any
// access key is accepted, but a request must carry one, as AWS's do.
var errMissingToken = &Error{Status: http.StatusForbidden, Code: "MissingAuthenticationToken",
	Message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate."}

func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	auth := req.Header.Get("Authorization")
	token := req.Header.Get("X-Amz-Security-Token")
	if auth == "" && req.URL.Query().Get("X-Amz-Credential") != "" {
		// A presigned URL carries the credential in the query string.
		auth = "Credential=" + req.URL.Query().Get("X-Amz-Credential")
		token = req.URL.Query().Get("X-Amz-Security-Token")
	}
	region, signingName := credentialScope(auth)
	c := &Context{Context: req.Context(), Account: r.account, Region: region, RequestID: reqID,
		AccessKeyID: accessKeyID(auth), SessionToken: token}

	if target := req.Header.Get("X-Amz-Target"); target != "" && req.Method == http.MethodPost {
		if auth == "" {
			writeJSONError(w, "message", errMissingToken)
			return
		}
		r.serveJSON(w, req, c, target)
		return
	}
	if req.Method == http.MethodPost && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
		req.Method == http.MethodGet && req.URL.Query().Get("Action") != "" {
		if auth == "" {
			writeQueryError(w, "", reqID, errMissingToken)
			return
		}
		r.serveQuery(w, req, c, signingName)
		return
	}
	if r.Fallback != nil {
		r.Fallback.ServeHTTP(w, req)
		return
	}
	writeJSONError(w, "message", &Error{Status: 404, Code: "UnknownOperationException", Message: "The requested operation is not supported by this endpoint."})
}

func (r *Router) serveJSON(w http.ResponseWriter, req *http.Request, c *Context, target string) {
	prefix, opName, _ := strings.Cut(target, ".")
	svc := r.json[prefix]
	if svc == nil {
		writeJSONError(w, "message", NewError("UnknownOperationException", "Unknown service target "+prefix))
		return
	}
	key := svc.MessageKey
	if key == "" {
		key = "message"
	}
	op := svc.Ops[opName]
	if op == nil {
		writeJSONError(w, key, NewError("UnknownOperationException", "The operation "+opName+" is not supported."))
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody))
	if err != nil {
		writeJSONError(w, key, NewError("SerializationException", "could not read request body"))
		return
	}
	out, err := op(c, body)
	if err != nil {
		r.logError(c, prefix+"."+opName, err)
		writeJSONError(w, key, asError(err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch raw := out.(type) {
	case RawJSON:
		w.Write(raw)
		return
	case *RawJSON:
		w.Write(*raw)
		return
	case nil:
		out = struct{}{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		r.logError(c, prefix+"."+opName, err)
		writeJSONError(w, key, asError(err))
		return
	}
	w.Write(b)
}

func (r *Router) serveQuery(w http.ResponseWriter, req *http.Request, c *Context, signingName string) {
	req.Body = http.MaxBytesReader(w, req.Body, maxBody)
	if err := req.ParseForm(); err != nil {
		writeQueryError(w, "", c.RequestID, NewError("MalformedQueryString", "could not parse form"))
		return
	}
	action := req.Form.Get("Action")
	svc := r.query[signingName]
	if svc == nil || svc.Ops[action] == nil {
		// A request signed for another service, or whose scope names none:
		// find the service by action name.
		svc = nil
		for _, s := range r.query {
			if s.Ops[action] != nil {
				svc = s
				break
			}
		}
	}
	if svc == nil {
		writeQueryError(w, "", c.RequestID, NewError("InvalidAction", "The action "+action+" is not valid for this web service."))
		return
	}
	if signingName == "iam" || svc.Name == "iam" {
		c.Region = "us-east-1"
	}
	out, err := svc.Ops[action](c, req.Form)
	if err != nil {
		r.logError(c, svc.Name+"."+action, err)
		writeQueryError(w, svc.XMLNS, c.RequestID, asError(err))
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<" + action + "Response xmlns=\"" + svc.XMLNS + "\">")
	if out != nil {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			writeQueryError(w, svc.XMLNS, c.RequestID, asError(err))
			return
		}
	}
	buf.WriteString("<ResponseMetadata><RequestId>" + c.RequestID + "</RequestId></ResponseMetadata>")
	buf.WriteString("</" + action + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.Write(buf.Bytes())
}

func (r *Router) logError(c *Context, op string, err error) {
	var e *Error
	if errors.As(err, &e) && e.Status < 500 {
		r.log.Debug("aws client error", "op", op, "code", e.Code, "request_id", c.RequestID)
		return
	}
	r.log.Error("aws server error", "op", op, "err", err, "request_id", c.RequestID)
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: 500, Code: "InternalFailure", Message: "internal error: " + err.Error()}
}

func writeJSONError(w http.ResponseWriter, messageKey string, e *Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]string{"__type": e.Code, messageKey: e.Message})
	w.Write(b)
}

type queryErrorBody struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	XMLNS   string   `xml:"xmlns,attr,omitempty"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func writeQueryError(w http.ResponseWriter, xmlns, reqID string, e *Error) {
	var body queryErrorBody
	body.XMLNS = xmlns
	body.Error.Type = "Sender"
	if e.Status >= 500 {
		body.Error.Type = "Receiver"
	}
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	body.RequestID = reqID
	b, _ := xml.Marshal(body)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	w.Write([]byte(xml.Header))
	w.Write(b)
}

// newRequestID makes a version 4 UUID from the runtime's per-thread
// generator. Request ids need to be unique, not secret, and uuid.NewString
// reads crypto/rand (a system call) for each one.
func newRequestID() string {
	var b uuid.UUID
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return b.String()
}

// credentialScope reads region and signing name from a SigV4 Authorization
// header ("... Credential=AKID/20240101/us-east-1/ecr/aws4_request, ...").
// Any access key is accepted; a credential without a region is taken as
// us-east-1.
func credentialScope(auth string) (region, service string) {
	region = "us-east-1"
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return region, ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) >= 5 {
		if parts[2] != "" {
			region = parts[2]
		}
		service = parts[3]
	}
	return region, service
}

// accessKeyID reads the access key id from a SigV4 Authorization header's
// Credential=AKID/date/region/service/aws4_request.
func accessKeyID(auth string) string {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, "/, "); j >= 0 {
		cred = cred[:j]
	}
	return cred
}

// FormList reads a Query-protocol list such as Tags.member.1.Key … in order.
// prefix is "Tags.member"; it returns the index-ordered sub-values for each n
// as url.Values keyed by the rest of the name ("Key", "Value").
func FormList(form url.Values, prefix string) []url.Values {
	var out []url.Values
	for n := 1; ; n++ {
		p := prefix + "." + strconv.Itoa(n)
		item := url.Values{}
		for k, v := range form {
			if k == p {
				item[""] = v
			} else if strings.HasPrefix(k, p+".") {
				item[k[len(p)+1:]] = v
			}
		}
		if len(item) == 0 {
			return out
		}
		out = append(out, item)
	}
}
