/* SSL_WRITE.md case 7: after our SSL_shutdown SSL_write is -1 / SSL / 207; after the
 * peer's close_notify writes still work (half-close) and the peer reads the data. */
#include "common.h"

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    char buf[32];
    int r = SSL_shutdown(c);
    report("client shutdown", c, r);
    printf("client get_shutdown=%d\n", SSL_get_shutdown(c));
    r = SSL_write(c, "late", 4);
    report("client write after shutdown", c, r);
    r = SSL_read(s, buf, sizeof(buf));
    report("server read", s, r);
    printf("server get_shutdown=%d\n", SSL_get_shutdown(s));
    r = SSL_write(s, "bye", 3);
    report("server write after close_notify", s, r);
    r = SSL_read(c, buf, sizeof(buf));
    printf("client read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_shutdown(s);
    report("server shutdown", s, r);
    r = SSL_shutdown(c);
    report("client shutdown 2", c, r);
    printf("client get_shutdown=%d server get_shutdown=%d\n", SSL_get_shutdown(c),
           SSL_get_shutdown(s));
    r = SSL_read(c, buf, sizeof(buf));
    report("client read after both", c, r);
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
