# Stands in for redis:7-bookworm: Debian's Redis 7, reachable on the compose network like the official image
FROM smart-province/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
WORKDIR /data
# without a configuration file Redis refuses other hosts (protected mode); the official image turns it off too
ENTRYPOINT ["setpriv", "--reuid=redis", "--regid=redis", "--init-groups", "--", "sh", "-c", "exec \"$@\" --protected-mode no", "redis"]
CMD ["redis-server"]
EXPOSE 6379
