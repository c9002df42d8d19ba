/* Client certificates: a server that requires one (VERIFY_PEER | FAIL_IF_NO_PEER_CERT)
 * against a client without one, and a client presenting the (trusted) certificate. */
#include "common.h"

static void run(int version, int client_cert)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    printf("server trusts=%d\n", SSL_CTX_load_verify_locations(sctx, CERT, NULL));
    if (client_cert)
        printf("client cert=%d key=%d\n", SSL_CTX_use_certificate_file(cctx, CERT, SSL_FILETYPE_PEM),
               SSL_CTX_use_PrivateKey_file(cctx, KEY, SSL_FILETYPE_PEM));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    int rc = -1, rs = -1, i;
    for (i = 0; i < 20 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(c);
        if (rs != 1)
            rs = SSL_do_handshake(s);
        if ((rc != 1 && SSL_get_error(c, rc) == SSL_ERROR_SSL)
            || (rs != 1 && SSL_get_error(s, rs) == SSL_ERROR_SSL))
            break;
    }
    printf("server: ret=%d err=%d\n", rs, SSL_get_error(s, rs));
    errs("server");
    /* TLS 1.3: the client finished before the server checked; its next read sees the alert. */
    char buf[8];
    int r = rc == 1 ? SSL_read(c, buf, sizeof(buf)) : rc;
    printf("client: ret=%d err=%d\n", r, SSL_get_error(c, r));
    errs("client");
    printf("server verify result=%ld\n", SSL_get_verify_result(s));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0);
    run(TLS1_2_VERSION, 0);
    run(TLS1_3_VERSION, 1);
    run(TLS1_2_VERSION, 1);
    return 0;
}
