# HQ Vault in network mode (seed 002): one static binary in an empty image. No shell, no package
# manager, no libc: nothing in the image but hq-vault and its data folder.
#
# The binary is built outside (no base image is pulled): `scripts/build-image` builds it for
# x86_64-unknown-linux-musl, stages it beside this file and runs `podman build` (or `docker build`).
# docs/deploy.md says how to run it; compose.yaml is the same with a named volume, TLS and secrets.
FROM scratch
# The data folder, owned by the user the server runs as (a named volume starts with this owner).
COPY --chown=65532:65532 data/ /data/
COPY hq-vault /hq-vault
USER 65532:65532
# The home: vault.db, the audit log, the self-made CA, and the home socket (serve.sock) through
# which `hq-vault health`, `lock`, `unlock` and `org create --admin` in the container reach the server.
ENV HQ_VAULT_HOME=/data \
    HQ_VAULT_LISTEN=0.0.0.0:13100
VOLUME /data
EXPOSE 13100
# Over the home socket: healthy whatever names the TLS certificate holds.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/hq-vault", "health"]
ENTRYPOINT ["/hq-vault"]
CMD ["serve", "--network"]
