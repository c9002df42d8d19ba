/* SSL_connect / SSL_accept set their side only when none was chosen: an SSL put in accept
 * state and then driven with SSL_connect is still the server. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *ctx = make_ctx(1, 0), *cctx = make_ctx(0, 0);
    BIO *b1, *b2;
    BIO_new_bio_pair(&b1, 0, &b2, 0);
    SSL *srv = SSL_new(ctx), *cli = SSL_new(cctx);
    SSL_set_bio(srv, b1, b1);
    SSL_set_bio(cli, b2, b2);
    SSL_set_accept_state(srv);
    int rs = -1, rc = -1, i;
    for (i = 0; i < 20 && (rs != 1 || rc != 1); i++) {
        if (rc != 1)
            rc = SSL_connect(cli);
        if (rs != 1)
            rs = SSL_connect(srv); /* still the server */
    }
    printf("client=%d server(SSL_connect)=%d is_server=%d\n", rc, rs, SSL_is_server(srv));
    errs("after");
    SSL_free(srv);
    SSL_free(cli);
    SSL_CTX_free(ctx);
    SSL_CTX_free(cctx);
    return 0;
}
