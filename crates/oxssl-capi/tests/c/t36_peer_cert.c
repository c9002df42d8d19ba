/* The peer's certificate and chain after a handshake (client side: the server's
 * certificate; server side: none), the server's certificate and key given as objects
 * (PEM_read_* then SSL_CTX_use_certificate / SSL_CTX_use_PrivateKey), cipher bits, and ALPN
 * offered by a client to a server without a selection callback (nothing selected). */
#include "common.h"
#include <openssl/pem.h>
#include <openssl/x509.h>

static void show_name(const char *tag, X509 *x)
{
    BIO *m = BIO_new(BIO_s_mem());
    char buf[512];
    X509_NAME_print_ex(m, X509_get_subject_name(x), 0, XN_FLAG_ONELINE);
    BIO_write(m, " | ", 3);
    X509_NAME_print_ex(m, X509_get_issuer_name(x), 0, XN_FLAG_RFC2253);
    BIO_write(m, " | ", 3);
    ASN1_TIME_print(m, X509_get0_notBefore(x));
    BIO_write(m, " | ", 3);
    ASN1_TIME_print(m, X509_get0_notAfter(x));
    int n = BIO_read(m, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("%s: %s\n", tag, buf);
    BIO_free(m);
}

static SSL_CTX *server_ctx_from_objects(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    FILE *f = fopen(CERT, "r");
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    BIO *b = BIO_new(BIO_s_mem());
    f = fopen(KEY, "r");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    BIO_write(b, buf, (int)n);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    printf("check before=%d\n", SSL_CTX_check_private_key(ctx));
    errs("check before");
    printf("use_certificate=%d\n", SSL_CTX_use_certificate(ctx, x));
    errs("use_certificate");
    printf("use_PrivateKey=%d\n", SSL_CTX_use_PrivateKey(ctx, k));
    errs("use_PrivateKey");
    printf("check after=%d\n", SSL_CTX_check_private_key(ctx));
    errs("check after");
    printf("get0_certificate same subject: %d\n",
           SSL_CTX_get0_certificate(ctx) != NULL
               && X509_NAME_entry_count(X509_get_subject_name(SSL_CTX_get0_certificate(ctx)))
                      == X509_NAME_entry_count(X509_get_subject_name(x)));
    X509_free(x);
    EVP_PKEY_free(k);
    printf("use_certificate(NULL)=%d\n", SSL_CTX_use_certificate(ctx, NULL));
    errs("use NULL");
    return ctx;
}

static void run(int version)
{
    SSL_CTX *sctx = server_ctx_from_objects();
    SSL_CTX *cctx = make_ctx(0, version);
    SSL_CTX_set_min_proto_version(sctx, version);
    SSL_CTX_set_max_proto_version(sctx, version);
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    static const unsigned char bad[] = "\x05h2";
    printf("set_alpn bad=%d good=%d\n", SSL_CTX_set_alpn_protos(cctx, bad, 3),
           SSL_CTX_set_alpn_protos(cctx, alpn, sizeof(alpn) - 1));
    errs("alpn");
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    printf("before handshake: peer=%p chain=%p\n", (void *)SSL_get_peer_certificate(c),
           (void *)SSL_get_peer_cert_chain(c));
    if (!handshake(c, s))
        exit(1);
    X509 *peer = SSL_get_peer_certificate(c);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c);
    printf("client: peer=%s chain=%d\n", peer ? "yes" : "no", sk_X509_num(chain));
    show_name("client peer", peer);
    show_name("chain[0]", sk_X509_value(chain, 0));
    printf("chain[1]=%p chain[-1]=%p\n", (void *)sk_X509_value(chain, 1),
           (void *)sk_X509_value(chain, -1));
    X509_free(peer);
    printf("server: peer=%p chain=%p\n", (void *)SSL_get_peer_certificate(s),
           (void *)SSL_get_peer_cert_chain(s));
    int alg = -1;
    int bits = SSL_CIPHER_get_bits(SSL_get_current_cipher(c), &alg);
    printf("cipher %s bits=%d alg=%d null=%d\n", SSL_CIPHER_get_name(SSL_get_current_cipher(c)),
           bits, alg, SSL_CIPHER_get_bits(NULL, NULL));
    const unsigned char *sel = (const unsigned char *)"x";
    unsigned int sel_len = 99;
    SSL_get0_alpn_selected(c, &sel, &sel_len);
    printf("alpn selected: %p len=%u\n", (const void *)sel, sel_len);
    errs("end");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
