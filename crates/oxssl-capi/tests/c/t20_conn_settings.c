/* Per-connection settings and queries: SNI both ends, state strings, verify modes,
 * per-connection suites, and reference counts of SSL_CTX and SSL. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, 0), *sctx = make_ctx(1, 0);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
    printf("ctx verify mode=%d\n", SSL_CTX_get_verify_mode(cctx));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_verify(c, SSL_VERIFY_PEER, NULL);
    printf("ssl verify mode=%d ctx still=%d\n", SSL_get_verify_mode(c),
           SSL_CTX_get_verify_mode(cctx));
    SSL_set_verify(c, SSL_VERIFY_NONE, NULL);
    printf("state before=%s\n", SSL_state_string_long(c));
    long sni = SSL_set_tlsext_host_name(c, "sni.example");
    printf("sni=%ld client servername=%s\n", sni, SSL_get_servername(c, TLSEXT_NAMETYPE_host_name));
    printf("set_ciphersuites=%d\n", SSL_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256"));
    printf("is_server c=%d s=%d init_finished=%d\n", SSL_is_server(c), SSL_is_server(s),
           SSL_is_init_finished(c));
    if (!handshake(c, s))
        return 1;
    printf("state after=%s / %s\n", SSL_state_string_long(c), SSL_state_string_long(s));
    printf("server servername=%s\n", SSL_get_servername(s, TLSEXT_NAMETYPE_host_name));
    printf("cipher=%s init_finished=%d\n", SSL_CIPHER_get_name(SSL_get_current_cipher(c)),
           SSL_is_init_finished(c));

    /* Reference counts: the SSL keeps its context alive; an extra SSL reference too. */
    printf("ctx up_ref=%d ssl up_ref=%d\n", SSL_CTX_up_ref(cctx), SSL_up_ref(c));
    SSL_CTX_free(cctx);
    SSL_CTX_free(cctx);
    SSL_free(c);
    int r = SSL_write(c, "still", 5);
    printf("write through the remaining reference=%d\n", r);
    char buf[16];
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    return 0;
}
