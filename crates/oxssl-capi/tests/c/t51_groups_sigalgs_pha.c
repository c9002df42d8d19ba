/* Group and signature algorithm lists (SSL_CTX_set1_groups_list, ..._sigalgs_list and the
 * per-connection forms), TLS 1.3 post-handshake client authentication
 * (SSL_set_post_handshake_auth, SSL_verify_client_post_handshake) and its refusals. */
#include "common.h"

static void pump(SSL *c, SSL *s, const char *tag)
{
    char buf[16];
    int r = SSL_write(s, "req", 3);
    printf("%s: server write=%d\n", tag, r);
    r = SSL_read(c, buf, sizeof(buf));
    printf("%s: client read=%d\n", tag, r);
    r = SSL_write(c, "ok", 2);
    printf("%s: client write=%d\n", tag, r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("%s: server read=%d err=%d\n", tag, r, SSL_get_error(s, r));
    errs(tag);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, TLS1_3_VERSION), *sctx = make_ctx(1, TLS1_3_VERSION);
    printf("set1_groups_list bogus=%ld\n", SSL_CTX_set1_groups_list(cctx, "nope:P-999"));
    errs("groups bogus");
    printf("set1_groups_list=%ld\n", SSL_CTX_set1_groups_list(cctx, "P-384:X25519"));
    printf("set1_sigalgs_list bogus=%ld\n", SSL_CTX_set1_sigalgs_list(cctx, "RSA+MD2"));
    errs("sigalgs bogus");
    printf("set1_sigalgs_list=%ld\n",
           SSL_CTX_set1_sigalgs_list(cctx, "ECDSA+SHA256:ECDSA+SHA384:rsa_pss_rsae_sha256"));
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    printf("server set1_groups_list=%ld\n", SSL_set1_groups_list(s, "P-384"));
    if (!handshake(c, s))
        return 1;
    printf("before any request: peer cert=%d\n", SSL_get0_peer_certificate(s) != NULL);
    int r = SSL_verify_client_post_handshake(s);
    printf("pha without the client's extension=%d\n", r);
    errs("pha no ext");
    SSL_free(c);
    SSL_free(s);

    /* A client that offers post-handshake authentication and has a certificate. */
    SSL_CTX_set_post_handshake_auth(cctx, 1);
    if (SSL_CTX_use_certificate_chain_file(cctx, pki("chain.pem")) != 1
        || SSL_CTX_use_PrivateKey_file(cctx, pki("leaf.key"), SSL_FILETYPE_PEM) != 1)
        printf("client certificate setup failed\n");
    SSL_CTX_load_verify_locations(sctx, pki("root.pem"), NULL);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, NULL);
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    r = SSL_verify_client_post_handshake(s);
    printf("pha before the handshake=%d\n", r);
    errs("pha early");
    if (!handshake(c, s))
        return 1;
    printf("after the handshake: peer cert=%d\n", SSL_get0_peer_certificate(s) != NULL);
    r = SSL_verify_client_post_handshake(s);
    printf("pha=%d\n", r);
    errs("pha");
    pump(c, s, "pha");
    X509 *peer = SSL_get0_peer_certificate(s);
    char name[256] = "";
    if (peer)
        X509_NAME_oneline(X509_get_subject_name(peer), name, sizeof(name));
    printf("after the request: peer cert=%d subject=%s verify=%ld\n", peer != NULL, name,
           SSL_get_verify_result(s));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);

    /* TLS 1.2: no post-handshake authentication. */
    SSL_CTX *c12 = make_ctx(0, TLS1_2_VERSION), *s12 = make_ctx(1, TLS1_2_VERSION);
    SSL_CTX_set_post_handshake_auth(c12, 1);
    make_pair(c12, s12, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        return 1;
    r = SSL_verify_client_post_handshake(s);
    printf("pha tls12=%d\n", r);
    errs("pha tls12");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(c12);
    SSL_CTX_free(s12);
    printf("done\n");
    return 0;
}
