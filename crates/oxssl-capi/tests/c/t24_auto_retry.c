/* SSL_MODE_AUTO_RETRY (SSL_WRITE.md section 6): with it cleared, a read that processed a
 * post-handshake message (TLS 1.3 NewSessionTicket, KeyUpdate) and has no data returns
 * -1 / WANT_READ; with it set (default) the read goes on. */
#include "common.h"

static void run(int auto_retry)
{
    SSL_CTX *cctx = make_ctx(0, TLS1_3_VERSION), *sctx = make_ctx(1, TLS1_3_VERSION);
    if (!auto_retry)
        SSL_CTX_clear_mode(cctx, SSL_MODE_AUTO_RETRY);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    char buf[32];
    int r, i;
    /* The server's tickets are waiting for the client. */
    for (i = 0; i < 4; i++) {
        r = SSL_read(c, buf, sizeof(buf));
        printf("client read %d: ret=%d err=%d\n", i, r, SSL_get_error(c, r));
        if (r > 0 || SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
            break;
    }
    errs("tickets");
    printf("server key_update=%d\n", SSL_key_update(s, SSL_KEY_UPDATE_NOT_REQUESTED));
    printf("server write=%d\n", SSL_write(s, "after ku", 8));
    for (i = 0; i < 4; i++) {
        r = SSL_read(c, buf, sizeof(buf));
        printf("client read %d: ret=%d err=%d\n", i, r, SSL_get_error(c, r));
        if (r > 0 || SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
            break;
    }
    if (r > 0)
        printf("data '%.*s'\n", r, buf);
    errs("ku");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(1);
    run(0);
    return 0;
}
