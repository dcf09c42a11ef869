# syntax=docker/dockerfile:1
# phoneauth: a static, non-root image. Build: docker build -t phoneauth .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/phoneauth ./cmd/phoneauth \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/phoneauth /usr/local/bin/phoneauth
# Only for the zero-configuration SQLite default; production sets PHONEAUTH_DATABASE_URL=postgres://…
COPY --from=build --chown=65532:65532 /out/data /data
ENV PHONEAUTH_ADDR=:8000 \
    PHONEAUTH_DATABASE_URL=/data/phoneauth.db
USER 65532:65532
EXPOSE 8000
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/phoneauth"]
CMD ["serve"]
