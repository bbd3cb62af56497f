// Independent check of ensgate's AS4 seals with Apache Santuario (xmlsec), used by
// tests/seal/test_santuario.py. Reads a wire file written by `ensgate seal` (Content-Type line,
// blank line, MIME multipart/related body), resolves cid: references to the MIME parts, applies
// the SwA Attachment-Content-Signature-Transform (the part's octets as sent), decodes the
// X509PKIPathv1 BinarySecurityToken with the JDK's own "PkiPath" decoder and verifies the
// signature with the leaf certificate.
// Prints "VERIFIED refs=<n> chain=<n> leaf=<subject>" and exits 0, or "INVALID <why>" and exit 1.

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.cert.CertPath;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.Init;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.signature.XMLSignatureInput;
import org.apache.xml.security.transforms.Transform;
import org.apache.xml.security.transforms.TransformSpi;
import org.apache.xml.security.utils.resolver.ResourceResolverContext;
import org.apache.xml.security.utils.resolver.ResourceResolverSpi;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class As4Verify {
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String SWA_CONTENT =
        "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Signature-Transform";
    static final String PKIPATH =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";

    /** SwA content transform: the attachment's octets, unchanged. */
    public static class SwAContentTransform extends TransformSpi {
        @Override
        protected String engineGetURI() { return SWA_CONTENT; }
        @Override
        protected XMLSignatureInput enginePerformTransform(XMLSignatureInput input, OutputStream os,
                                                           Transform transform) {
            return input;
        }
    }

    /** Resolves cid: URIs to the MIME parts by Content-ID. */
    static class CidResolver extends ResourceResolverSpi {
        final Map<String, byte[]> parts;
        CidResolver(Map<String, byte[]> parts) { this.parts = parts; }
        @Override
        public boolean engineCanResolveURI(ResourceResolverContext ctx) {
            return ctx.uriToResolve != null && ctx.uriToResolve.startsWith("cid:");
        }
        @Override
        public XMLSignatureInput engineResolveURI(ResourceResolverContext ctx) {
            byte[] data = parts.get(ctx.uriToResolve.substring(4));
            if (data == null) throw new IllegalStateException("no MIME part for " + ctx.uriToResolve);
            XMLSignatureInput in = new XMLSignatureInput(data);
            in.setSourceURI(ctx.uriToResolve);
            return in;
        }
    }

    static String param(String ct, String name) {
        Matcher m = Pattern.compile(name + "=\"?([^\";]+)\"?").matcher(ct);
        return m.find() ? m.group(1).trim() : null;
    }

    public static void main(String[] args) throws Exception {
        byte[] file = Files.readAllBytes(Paths.get(args[0]));
        String all = new String(file, StandardCharsets.ISO_8859_1);  // 1:1 bytes
        int headEnd = all.indexOf("\r\n\r\n");
        String ct = all.substring(0, headEnd).replaceFirst("(?i)^Content-Type:\\s*", "");
        String body = all.substring(headEnd + 4);
        String boundary = param(ct, "boundary");
        String start = param(ct, "start");
        if (start != null) start = start.replace("<", "").replace(">", "");
        Map<String, byte[]> parts = new HashMap<>();
        byte[] soap = null;
        // Signals (receipts, pull requests, errors) travel as plain SOAP 1.2: no MIME parts.
        String[] pieces = boundary == null ? new String[0]
            : body.split(Pattern.quote("--" + boundary));
        if (boundary == null) soap = body.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i];
            if (p.startsWith("--")) break;
            p = p.substring(p.indexOf("\r\n") + 2);
            int he = p.indexOf("\r\n\r\n");
            String headers = p.substring(0, he);
            String content = p.substring(he + 4);
            if (content.endsWith("\r\n")) content = content.substring(0, content.length() - 2);
            Matcher m = Pattern.compile("(?im)^Content-ID:\\s*<([^>]+)>").matcher(headers);
            String cid = m.find() ? m.group(1).trim() : "";
            byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
            if ((start == null && soap == null) || cid.equals(start)) soap = bytes;
            else parts.put(cid, bytes);
        }
        Init.init();
        Transform.register(SWA_CONTENT, SwAContentTransform.class);
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(soap));
        NodeList elems = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < elems.getLength(); i++) {
            Element e = (Element) elems.item(i);
            if (e.hasAttributeNS(WSU, "Id")) e.setIdAttributeNS(WSU, "Id", true);
        }
        Element sigEl = (Element) doc.getElementsByTagNameNS(DS, "Signature").item(0);
        Element bst = (Element) doc.getElementsByTagNameNS(WSSE, "BinarySecurityToken").item(0);
        if (!PKIPATH.equals(bst.getAttribute("ValueType"))) {
            System.out.println("INVALID token type " + bst.getAttribute("ValueType"));
            System.exit(1);
        }
        byte[] der = Base64.getMimeDecoder().decode(bst.getTextContent());
        CertPath path = CertificateFactory.getInstance("X.509")
            .generateCertPath(new ByteArrayInputStream(der), "PkiPath");
        List<? extends java.security.cert.Certificate> certs = path.getCertificates();
        X509Certificate leaf = (X509Certificate) certs.get(0);  // CertPath lists target first
        XMLSignature sig = new XMLSignature(sigEl, "", true);
        sig.addResourceResolver(new CidResolver(parts));
        boolean ok = sig.checkSignatureValue(leaf);
        int n = sig.getSignedInfo().getLength();
        if (!ok) {
            StringBuilder why = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (!sig.getSignedInfo().getVerificationResult(i)) {
                    why.append(" bad-digest:").append(sig.getSignedInfo().item(i).getURI());
                }
            }
            System.out.println("INVALID signature" + why);
            System.exit(1);
        }
        StringBuilder uris = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String uri = sig.getSignedInfo().item(i).getURI();
            Element target = uri.startsWith("#") ? doc.getElementById(uri.substring(1)) : null;
            uris.append(i == 0 ? "" : ",").append(target != null ? target.getLocalName() : uri);
        }
        System.out.println("VERIFIED refs=" + n + " chain=" + certs.size() + " signed=" + uris
            + " leaf="
            + leaf.getSubjectX500Principal().getName());
    }
}
