package io.pgtrickle.crds.validation;

import java.util.Objects;

/**
 * One reason why the API server would refuse a resource, with the field path and the wording of the API server's
 * own error (Kubernetes' {@code field.Error}), so that the standalone CLI, which never talks to an API server,
 * reports a bad file the way {@code kubectl apply} does and users can search for one message. {@link #toString()} is
 * exactly the line {@code kubectl} prints after {@code The StreamTable "x" is invalid:}; {@link #message()} is the
 * same without the parts that only make sense to the API server's machinery.
 *
 * @param field the field path, such as {@code spec.table}; {@code <nil>} for the object as a whole
 * @param type the kind of error, which decides the wording and whether CEL rules still run
 * @param value the offending value as the API server shows it: a String, Long, Double, Boolean or null
 * @param detail what is wrong, or empty
 */
public record FieldError(String field, Type type, Object value, String detail) {

  /** The kinds of errors a resource can have, with the API server's words for them. */
  public enum Type {
    /** A required field is missing ({@code field.Required}). */
    REQUIRED("Required value", false),
    /** A value breaks a pattern, a length, a bound or a CEL rule ({@code field.Invalid}). */
    INVALID("Invalid value", true),
    /** A value of the wrong JSON type ({@code field.TypeInvalid}); the value shown is the type found. */
    TYPE_INVALID("Invalid value", true),
    /** A value outside an enum ({@code field.NotSupported}). */
    NOT_SUPPORTED("Unsupported value", true),
    /** A string longer than its maxLength ({@code field.TooLong}); the value is never shown. */
    TOO_LONG("Too long", false),
    /** A field the schema does not have; the API server refuses it while decoding (strict field validation). */
    UNKNOWN_FIELD("unknown field", false);

    private final String words;
    private final boolean showsValue;

    Type(String words, boolean showsValue) {
      this.words = words;
      this.showsValue = showsValue;
    }

    /**
     * Whether the API server skips the CEL rules when an error of this type is present (its
     * {@code hasBlockingErr}): CEL cannot evaluate over missing fields or values of the wrong type.
     */
    boolean blocksCel() {
      return this == REQUIRED || this == TYPE_INVALID || this == NOT_SUPPORTED || this == TOO_LONG;
    }
  }

  /** The detail the API server adds when it skipped CEL rules because of {@link Type#blocksCel() blocking} errors. */
  static final String NOT_CHECKED = "some validation rules were not checked because the object was invalid; "
      + "correct the existing errors to complete validation";

  /** Field path of errors about the object as a whole (Go's nil {@code *field.Path}). */
  static final String ROOT = "<nil>";

  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
    detail = detail == null ? "" : detail;
  }

  static FieldError required(String field, String detail) {
    return new FieldError(field, Type.REQUIRED, null, detail);
  }

  static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(field, Type.INVALID, value, detail);
  }

  static FieldError notChecked() {
    return new FieldError(ROOT, Type.INVALID, null, NOT_CHECKED);
  }

  /** Whether this error makes the API server skip the CEL rules. */
  boolean blocksCel() {
    return type.blocksCel();
  }

  /**
   * The error for a person reading the CLI's output: {@link #toString()}, except that the note about skipped
   * rules drops the API server's {@code <nil>: Invalid value: null} prefix.
   */
  public String message() {
    return ROOT.equals(field) && value == null && type == Type.INVALID ? detail : toString();
  }

  /** The API server's text: {@code field: Type: value: detail}, as Go's {@code field.Error.Error()} renders it. */
  @Override
  public String toString() {
    if (type == Type.UNKNOWN_FIELD) {
      return "unknown field " + GoText.quote(field);
    }
    StringBuilder s = new StringBuilder(field).append(": ").append(type.words);
    if (type.showsValue) {
      s.append(": ").append(GoText.value(value));
    }
    if (!detail.isEmpty()) {
      s.append(": ").append(detail);
    }
    return s.toString();
  }
}
