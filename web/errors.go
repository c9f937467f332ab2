package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/view"
)

// appHandler is a handler that returns its failure instead of writing it;
// handle turns the failure into one logged, rendered answer.
type appHandler func(w http.ResponseWriter, r *http.Request) error

// httpError is a failure with a status and a message meant for the person.
type httpError struct {
	status  int
	heading string
	message string
}

func (e *httpError) Error() string { return e.message }

func notFound(message string) error {
	return &httpError{status: http.StatusNotFound, heading: "Not found", message: message}
}

func badRequest(message string) error {
	return &httpError{status: http.StatusBadRequest, heading: "Bad request", message: message}
}

// maxFormBody bounds every posted form. The largest is the task definition
// builder: ten containers of 64 KiB of JSON fit many times over.
const maxFormBody = 2 << 20

func (s *Server) handle(fn appHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Every change is a posted form: read it here, bounded, once, so a
		// handler finds r.PostForm ready and never sees an oversized body.
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			if err := r.ParseForm(); err != nil {
				s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form is too large or could not be read.")
				return
			}
		}
		err := fn(w, r)
		if err == nil {
			return
		}
		var he *httpError
		if !errors.As(err, &he) && cloud.IsAWSCall(err) {
			// A page that does not explain an AWS failure itself still
			// gets the explanation, as a 502 rather than Berth's own 500.
			s.log.Warn("AWS call failed", "err", err, "path", r.URL.Path, "request_id", middleware.GetReqID(r.Context()))
			he = awsFailure("Berth could not complete this request", err)
		}
		if he != nil {
			s.renderError(w, r, he.status, he.heading, he.message)
			return
		}
		s.log.Error("handler failed", "err", err, "path", r.URL.Path, "request_id", middleware.GetReqID(r.Context()))
		s.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "Berth could not complete this request: "+err.Error())
	}
}

// renderError answers with the error page for browsers (their pages and
// form posts ask for text/html) and a short text for everything else
// (scripts, htmx, the CLI).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	reqID := middleware.GetReqID(r.Context())
	if r.Header.Get("HX-Request") != "" || !strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(heading + ": " + message + "\nrequest id: " + reqID + "\n"))
		return
	}
	p := s.page(w, r, heading, "")
	s.render(w, r, status, view.Error(view.ErrorPage{Page: p, Status: status, Heading: heading, Message: message, RequestID: reqID}))
}

// awsFailure is the page for an AWS failure where no form can hold it:
// what AWS said and how to fix it, with 502 rather than a bare 500.
func awsFailure(what string, err error) *httpError {
	return &httpError{status: http.StatusBadGateway, heading: "AWS refused the request", message: what + ": " + problemText(err)}
}

// pageProblem is what a list page says when AWS refuses one of its pages:
// a refused page position (a link kept too long or edited) is the link's
// fault, a 400 that points back to the first page; anything else is AWS's
// answer, a 502.
func pageProblem(err error, token string) (string, int) {
	switch code := cloud.ErrorCode(err); {
	case token != "" && (code == "InvalidNextTokenException" || code == "InvalidParameterException" || code == "ClientException" || code == "ValidationException"):
		return problemText(err) + " This page's position is no longer valid: start again from the first page.", http.StatusBadRequest
	case token != "":
		return problemText(err) + " Start again from the first page.", http.StatusBadGateway
	}
	return problemText(err), http.StatusBadGateway
}

// problemText is an AWS error in one line for a page: AWS's message and
// code, or what went wrong before AWS could answer, and how to fix it when
// Berth knows.
func problemText(err error) string {
	problem, fix := cloud.Explain(err)
	if code := cloud.ErrorCode(err); code != "" {
		problem = cloud.ErrorMessage(err) + " (" + code + ")"
	}
	return strings.TrimSpace(problem + " " + fix)
}
