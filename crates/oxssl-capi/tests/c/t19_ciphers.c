/* Cipher configuration: TLS 1.3 suites, TLS 1.2 cipher lists, names and refusals. */
#include "common.h"

static void run(int version, const char *suites, const char *list)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    if (suites)
        printf("set_ciphersuites(%s)=%d\n", suites, SSL_CTX_set_ciphersuites(cctx, suites));
    if (list)
        printf("set_cipher_list(%s)=%d\n", list, SSL_CTX_set_cipher_list(cctx, list));
    errs("config");
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (handshake(c, s))
        printf("cipher client=%s server=%s\n", SSL_CIPHER_get_name(SSL_get_current_cipher(c)),
               SSL_CIPHER_get_name(SSL_get_current_cipher(s)));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, NULL, NULL);
    run(TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", NULL);
    run(TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", NULL);
    run(TLS1_2_VERSION, NULL, NULL);
    run(TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-GCM-SHA256");
    run(TLS1_2_VERSION, NULL, "ECDHE-ECDSA-CHACHA20-POLY1305");
    SSL_CTX *ctx = make_ctx(0, 0);
    printf("cipher_list(RC4-SHA)=%d\n", SSL_CTX_set_cipher_list(ctx, "RC4-SHA"));
    errs("rc4");
    printf("ciphersuites(bogus)=%d\n", SSL_CTX_set_ciphersuites(ctx, "TLS_BOGUS"));
    errs("bogus");
    SSL_CTX_free(ctx);
    return 0;
}
