# Berth: a static binary on a minimal image, run as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# docker build --build-arg VERSION=$(git describe --tags --always) sets what
# `berth version` prints.
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/berth ./cmd/berth \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/berth /usr/local/bin/berth
COPY --from=build --chown=65532:65532 /out/data /data
ENV BERTH_ADDR=0.0.0.0:8080 \
    BERTH_DATA_DIR=/data \
    BERTH_EMULATOR_ADDR=0.0.0.0:4566
VOLUME ["/data"]
EXPOSE 8080 4566
USER nonroot:nonroot
# The health check reads BERTH_ADDR like serve does, so it follows a changed address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/usr/local/bin/berth", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/berth"]
CMD ["serve"]
