/* SSL_peek, SSL_pending and SSL_has_pending across several records. */
#include "common.h"

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    SSL_write(c, "0123456789", 10);
    SSL_write(c, "abcdefghijklmnopqrst", 20);
    SSL_write(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", 30);
    printf("before: pending=%d has_pending=%d\n", SSL_pending(s), SSL_has_pending(s));
    char buf[128];
    int r = SSL_peek(s, buf, 5);
    printf("peek(5)=%d '%.*s' pending=%d has_pending=%d\n", r, r > 0 ? r : 0, buf,
           SSL_pending(s), SSL_has_pending(s));
    r = SSL_peek(s, buf, sizeof(buf));
    printf("peek(128)=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_read(s, buf, 3);
    printf("read(3)=%d '%.*s' pending=%d\n", r, r > 0 ? r : 0, buf, SSL_pending(s));
    r = SSL_read(s, buf, sizeof(buf));
    printf("read(128)=%d '%.*s' pending=%d has_pending=%d\n", r, r > 0 ? r : 0, buf,
           SSL_pending(s), SSL_has_pending(s));
    size_t n = 0;
    r = SSL_peek_ex(s, buf, sizeof(buf), &n);
    printf("peek_ex=%d n=%zu pending=%d\n", r, n, SSL_pending(s));
    r = SSL_read(s, buf, sizeof(buf));
    printf("read(128)=%d\n", r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("read(128)=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_read(s, buf, sizeof(buf));
    report("read empty", s, r);
    printf("after: pending=%d has_pending=%d\n", SSL_pending(s), SSL_has_pending(s));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
