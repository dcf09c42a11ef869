# syntax=docker/dockerfile:1
# phoneauth: a static, non-root image. Build: make image, or
#   docker build --build-arg VERSION=$(git describe --tags --always) --build-arg COMMIT=$(git rev-parse HEAD) -t phoneauth .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git is not in the build context, so the version and commit come in as build arguments.
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/phoneauth/phoneauth/internal/buildinfo.version=${VERSION} -X github.com/phoneauth/phoneauth/internal/buildinfo.commit=${COMMIT}" \
      -o /out/phoneauth ./cmd/phoneauth \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/phoneauth /usr/local/bin/phoneauth
# Only for a single instance on SQLite (PHONEAUTH_ALLOW_SQLITE=true); production sets
# PHONEAUTH_DATABASE_URL=postgres://…
COPY --from=build --chown=65532:65532 /out/data /data
# Production refuses unsafe settings at start-up and lists each (see README.md, "Configuration").
ENV PHONEAUTH_ENV=production \
    PHONEAUTH_ADDR=:8000 \
    PHONEAUTH_DATABASE_URL=/data/phoneauth.db
USER 65532:65532
EXPOSE 8000
VOLUME ["/data"]
# No shell or curl in the image: the binary asks its own /readyz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/phoneauth", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/phoneauth"]
CMD ["serve"]
