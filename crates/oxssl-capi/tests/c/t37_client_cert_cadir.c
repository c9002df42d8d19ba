/* A client certificate given per connection as objects (SSL_use_certificate /
 * SSL_use_PrivateKey), verified by a server that trusts a hashed CA directory (argv[3],
 * made by the test with `openssl x509 -hash`); the server prints the client's certificate.
 * Then verify failures named with X509_verify_cert_error_string: an empty CA directory
 * (18) and a host name mismatch (62). */
#include "common.h"
#include <openssl/pem.h>
#include <openssl/x509.h>

static const char *CADIR;

static void run(int version, const char *cadir, const char *host)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    printf("server load dir=%d\n", SSL_CTX_load_verify_locations(sctx, NULL, cadir));
    printf("client load dir=%d\n", SSL_CTX_load_verify_locations(cctx, NULL, cadir));
    errs("load");
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_verify_depth(sctx, 5);
    printf("depth ctx=%d\n", SSL_CTX_get_verify_depth(sctx));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    printf("depth ssl=%d\n", SSL_get_verify_depth(s));
    FILE *f = fopen(CERT, "r");
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    f = fopen(KEY, "r");
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    printf("SSL_use_certificate=%d SSL_use_PrivateKey=%d\n", SSL_use_certificate(c, x),
           SSL_use_PrivateKey(c, k));
    X509_free(x);
    EVP_PKEY_free(k);
    if (host)
        SSL_set1_host(c, host);
    int ok = handshake(c, s);
    long vc = SSL_get_verify_result(c), vs = SSL_get_verify_result(s);
    printf("ok=%d verify client=%ld (%s) server=%ld (%s)\n", ok, vc,
           X509_verify_cert_error_string(vc), vs, X509_verify_cert_error_string(vs));
    errs("after");
    if (ok) {
        X509 *peer = SSL_get_peer_certificate(s);
        char buf[256];
        X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof(buf));
        printf("server sees client: %s chain=%d\n", buf, sk_X509_num(SSL_get_peer_cert_chain(s)));
        X509_free(peer);
    }
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    if (argc < 5) {
        printf("usage: cert key cadir emptydir\n");
        return 2;
    }
    CADIR = argv[3];
    run(TLS1_3_VERSION, CADIR, NULL);
    run(TLS1_2_VERSION, CADIR, NULL);
    run(TLS1_3_VERSION, argv[4], NULL);
    run(TLS1_3_VERSION, CADIR, "other.example");
    return 0;
}
