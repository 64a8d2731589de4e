package io.pgtrickle.crds.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The API server's own rules for object names, which no CRD schema states: a custom resource's
 * {@code metadata.name} must be a DNS-1123 subdomain of at most 253 characters (apiextensions-apiserver validates it
 * with {@code NameIsDNSSubdomain}) and a namespace a DNS-1123 label of at most 63. The messages are apimachinery's
 * ({@code IsDNS1123Subdomain}, {@code IsDNS1123Label}), word for word, so the CLI and {@code kubectl} agree.
 */
public final class ObjectNames {

  private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String SUBDOMAIN_FMT = LABEL_FMT + "(\\." + LABEL_FMT + ")*";
  private static final Pattern LABEL = Pattern.compile("^" + LABEL_FMT + "$");
  private static final Pattern SUBDOMAIN = Pattern.compile("^" + SUBDOMAIN_FMT + "$");

  /** Longest DNS-1123 subdomain, and so longest custom resource name. */
  public static final int SUBDOMAIN_MAX_LENGTH = 253;
  /** Longest DNS-1123 label, and so longest namespace name. */
  public static final int LABEL_MAX_LENGTH = 63;

  private ObjectNames() {
  }

  /** What is wrong with {@code name} as a custom resource name; empty when it is valid. */
  public static List<String> nameErrors(String name) {
    List<String> errors = new ArrayList<>();
    if (bytes(name) > SUBDOMAIN_MAX_LENGTH) {
      errors.add(maxLength(SUBDOMAIN_MAX_LENGTH));
    }
    if (!SUBDOMAIN.matcher(name).find()) {
      errors.add(regex("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
          + "'.', and must start and end with an alphanumeric character", SUBDOMAIN_FMT, "'example.com'"));
    }
    return errors;
  }

  /** What is wrong with {@code namespace} as a namespace name; empty when it is valid. */
  public static List<String> namespaceErrors(String namespace) {
    List<String> errors = new ArrayList<>();
    if (bytes(namespace) > LABEL_MAX_LENGTH) {
      errors.add(maxLength(LABEL_MAX_LENGTH));
    }
    if (!LABEL.matcher(namespace).find()) {
      if (SUBDOMAIN.matcher(namespace).find()) {
        errors.add("must not contain dots"); // a valid subdomain of valid length: only the dots are wrong
      } else {
        errors.add(regex("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
            + "and must start and end with an alphanumeric character", LABEL_FMT, "'my-name',  or '123-abc'"));
      }
    }
    return errors;
  }

  /** Go's {@code len}: the API server counts name lengths in UTF-8 bytes. */
  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String maxLength(int max) {
    return "must be no more than " + max + " characters";
  }

  private static String regex(String message, String format, String examples) {
    return message + " (e.g. " + examples + ", regex used for validation is '" + format + "')";
  }
}
