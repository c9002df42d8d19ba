/* A stale entry on the error queue and SSL_get_error: OpenSSL clears the queue when it
 * starts a handshake and when it processes a post-handshake message (TLS 1.3 tickets). */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, TLS1_3_VERSION), *sctx = make_ctx(1, TLS1_3_VERSION);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_write(c, "x", -1); /* queues BAD_LENGTH, not fatal */
    int r = SSL_do_handshake(c);
    printf("handshake start: ret=%d err=%d\n", r, SSL_get_error(c, r));
    errs("handshake start");
    if (!handshake(c, s))
        return 1;
    SSL_write(c, "x", -1);
    char buf[16];
    r = SSL_read(c, buf, sizeof(buf)); /* processes the server's tickets */
    printf("read with tickets: ret=%d err=%d\n", r, SSL_get_error(c, r));
    errs("read with tickets");
    SSL_write(c, "x", -1);
    r = SSL_read(c, buf, sizeof(buf)); /* nothing at all to read */
    printf("read nothing: ret=%d err=%d\n", r, SSL_get_error(c, r));
    errs("read nothing");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
