package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP request metrics, labelled by route pattern (never the
// raw path, which would carry resource names and grow without bound).
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "berth_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "berth_http_request_duration_seconds", Help: "HTTP request duration by route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method, code).Observe(d.Seconds())
}

type awsMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newAWSMetrics(reg *prometheus.Registry) *awsMetrics {
	m := &awsMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "berth_aws_calls_total", Help: "AWS API calls by service, operation and outcome (ok or the error code).",
		}, []string{"service", "operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "berth_aws_call_duration_seconds", Help: "AWS API call duration by service and operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"service", "operation"}),
	}
	reg.MustRegister(m.calls, m.duration)
	return m
}

func (m *awsMetrics) observe(service, operation, outcome string, d time.Duration) {
	m.calls.WithLabelValues(service, operation, outcome).Inc()
	m.duration.WithLabelValues(service, operation).Observe(d.Seconds())
}
