/* Peer verification: no trust anchor (18, CERTIFICATE_VERIFY_FAILED 134), a trusted
 * self-signed server with SSL_set1_host matching, and a host name mismatch (62). */
#include "common.h"

static void run(int version, int trust, const char *host)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    if (trust)
        printf("load_verify_locations=%d\n", SSL_CTX_load_verify_locations(cctx, CERT, NULL));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (host)
        printf("set1_host=%d\n", SSL_set1_host(c, host));
    printf("sni=%ld\n", (long)SSL_set_tlsext_host_name(c, "localhost"));
    int ok = handshake(c, s);
    printf("ok=%d client verify result=%ld\n", ok, SSL_get_verify_result(c));
    errs("after");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0, NULL);
    run(TLS1_2_VERSION, 0, NULL);
    run(TLS1_3_VERSION, 1, "localhost");
    run(TLS1_2_VERSION, 1, "localhost");
    run(TLS1_3_VERSION, 1, "example.com");
    run(TLS1_2_VERSION, 1, "example.com");
    return 0;
}
