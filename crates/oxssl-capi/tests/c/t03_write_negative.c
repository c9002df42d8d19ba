/* SSL_WRITE.md case 2: SSL_write(-1) is -1 / SSL / BAD_LENGTH and not fatal. */
#include "common.h"

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    int r = SSL_write(c, "abc", -1);
    report("write(-1)", c, r);
    r = SSL_write(c, "abc", 3);
    report("write(3)", c, r);
    char buf[10];
    r = SSL_read(s, buf, -1);
    report("read(-1)", s, r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_peek(s, buf, -5);
    report("peek(-5)", s, r);
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
