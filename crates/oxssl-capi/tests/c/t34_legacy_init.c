/* The initialisation idioms of older programs, still accepted by OpenSSL 3's headers. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    printf("SSL_library_init=%d\n", SSL_library_init());
    printf("OpenSSL_add_ssl_algorithms=%d\n", OpenSSL_add_ssl_algorithms());
    SSL_load_error_strings();
    ERR_load_crypto_strings();
    printf("version >= 3.0=%d major macro=%d\n", OPENSSL_VERSION_NUMBER >= 0x30000000L,
           OPENSSL_VERSION_MAJOR);
    SSL_CTX *ctx = SSL_CTX_new(SSLv23_client_method());
    printf("ecdh_auto=%d\n", (int)SSL_CTX_set_ecdh_auto(ctx, 1));
    printf("options |= NO_SSLv2|NO_SSLv3: has NO_SSLv3=%d\n",
           (SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3) & SSL_OP_NO_SSLv3) != 0);
    SSL_CTX_free(ctx);
    ERR_free_strings();
    printf("done\n");
    return 0;
}
