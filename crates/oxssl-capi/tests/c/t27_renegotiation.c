/* TLS 1.2 renegotiation: a client with SSL_OP_NO_RENEGOTIATION refuses the server's
 * HelloRequest and carries on; a server with SSL_OP_ALLOW_CLIENT_RENEGOTIATION accepts a
 * client-initiated renegotiation. */
#include "common.h"

static void refuse(void)
{
    SSL_CTX *cctx = make_ctx(0, TLS1_2_VERSION), *sctx = make_ctx(1, TLS1_2_VERSION);
    SSL_CTX_set_options(cctx, SSL_OP_NO_RENEGOTIATION);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    int r = SSL_renegotiate(s);
    printf("server renegotiate=%d\n", r);
    r = SSL_write(s, "hr", 2);
    printf("server write=%d\n", r);
    char buf[16];
    r = SSL_read(c, buf, sizeof(buf));
    printf("client read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_read(s, buf, sizeof(buf));
    report("server read", s, r);
    r = SSL_write(c, "still", 5);
    printf("client write=%d\n", r);
    r = SSL_read(s, buf, sizeof(buf));
    report("server read 2", s, r);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void allow(void)
{
    SSL_CTX *cctx = make_ctx(0, TLS1_2_VERSION), *sctx = make_ctx(1, TLS1_2_VERSION);
    SSL_CTX_set_options(sctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    int r = SSL_renegotiate(c);
    printf("client renegotiate=%d\n", r);
    char buf[16];
    int i, rc = -1;
    for (i = 0; i < 10 && rc <= 0; i++) {
        rc = SSL_write(c, "reneg", 5);
        if (rc <= 0 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ) {
            report("client write", c, rc);
            break;
        }
        r = SSL_read(s, buf, sizeof(buf));
        if (r > 0)
            printf("server read=%d '%.*s'\n", r, r, buf);
    }
    printf("client write=%d pending=%d\n", rc, SSL_renegotiate_pending(c));
    r = SSL_read(s, buf, sizeof(buf));
    if (r > 0)
        printf("server read=%d '%.*s'\n", r, r, buf);
    else
        printf("server read: ret=%d err=%d\n", r, SSL_get_error(s, r));
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    refuse();
    allow();
    return 0;
}
