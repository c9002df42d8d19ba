/* TLS 1.2 over a BIO pair: handshake, data both ways, versions and cipher. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, TLS1_2_VERSION), *sctx = make_ctx(1, TLS1_2_VERSION);
    printf("min=%lx max=%lx\n", SSL_CTX_get_min_proto_version(cctx),
           SSL_CTX_get_max_proto_version(cctx));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        return 1;
    printf("cipher=%s\n", SSL_CIPHER_get_name(SSL_get_current_cipher(c)));
    char buf[100];
    int r = SSL_write(c, "ping", 4);
    printf("client write=%d\n", r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_write(s, "pong!", 5);
    printf("server write=%d\n", r);
    r = SSL_peek(c, buf, 2);
    printf("client peek=%d '%.*s' pending=%d has_pending=%d\n", r, r > 0 ? r : 0, buf,
           SSL_pending(c), SSL_has_pending(c));
    size_t n = 0;
    r = SSL_read_ex(c, buf, sizeof(buf), &n);
    printf("client read_ex=%d n=%zu '%.*s'\n", r, n, (int)n, buf);
    r = SSL_renegotiate_pending(c);
    printf("renegotiate_pending=%d\n", r);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
