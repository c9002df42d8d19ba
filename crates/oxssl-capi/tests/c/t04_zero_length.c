/* Zero-length reads and writes: SSL_read(buf, 0), SSL_write(buf, 0), the _ex forms. */
#include "common.h"

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    char buf[16];
    int r = SSL_read(s, buf, 0);
    report("read(0) nothing pending", s, r);
    r = SSL_write(c, "xyz", 3);
    printf("write=%d\n", r);
    r = SSL_write(c, buf, 0);
    report("write(0)", c, r);
    size_t w = 12345;
    r = SSL_write_ex(c, buf, 0, &w);
    printf("write_ex(0)=%d written=%zu\n", r, w);
    errs("write_ex(0)");
    r = SSL_read(s, buf, 0);
    report("read(0) data pending", s, r);
    size_t n = 999;
    r = SSL_read_ex(s, buf, 2, &n);
    printf("read_ex(2)=%d n=%zu '%.*s'\n", r, n, (int)n, buf);
    r = SSL_read(s, buf, sizeof(buf));
    printf("read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    n = 777;
    r = SSL_read_ex(s, buf, sizeof(buf), &n);
    printf("read_ex empty=%d n=%zu err=%d\n", r, n, SSL_get_error(s, r));
    errs("read_ex empty");
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
