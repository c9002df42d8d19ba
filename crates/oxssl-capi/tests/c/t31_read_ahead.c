/* Read-ahead: the context and connection switches (SSL_CTX_set_read_ahead is SSL_CTX_ctrl,
 * SSL_get/set_read_ahead are functions) and its effect on SSL_has_pending. */
#include "common.h"

static void run(int version, int ahead)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    long old = SSL_CTX_set_read_ahead(sctx, ahead);
    printf("ctx set_read_ahead old=%ld now=%ld\n", old, SSL_CTX_get_read_ahead(sctx));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    printf("ssl read_ahead=%d\n", SSL_get_read_ahead(s));
    if (!handshake(c, s))
        exit(1);
    SSL_write(c, "first", 5);
    SSL_write(c, "second", 6);
    char buf[64];
    int r = SSL_read(s, buf, sizeof(buf));
    printf("read=%d '%.*s' pending=%d has_pending=%d\n", r, r > 0 ? r : 0, buf, SSL_pending(s),
           SSL_has_pending(s));
    r = SSL_read(s, buf, sizeof(buf));
    printf("read=%d '%.*s' has_pending=%d\n", r, r > 0 ? r : 0, buf, SSL_has_pending(s));
    SSL_set_read_ahead(s, !ahead);
    printf("ssl read_ahead after set=%d\n", SSL_get_read_ahead(s));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0);
    run(TLS1_3_VERSION, 1);
    run(TLS1_2_VERSION, 1);
    return 0;
}
