package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The most recent refresh or reconcile error, with a hint on how to fix it. It is kept in status so that a
 * failure can be diagnosed from {@code kubectl describe} without reading the operator's logs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LastError {

  @JsonPropertyDescription("When the error happened (RFC 3339).")
  private String time;

  @JsonPropertyDescription("The error message, as reported by PostgreSQL or the operator.")
  private String message;

  @JsonPropertyDescription("What to do about it, when the operator recognises the error.")
  private String hint;

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getHint() {
    return hint;
  }

  public void setHint(String hint) {
    this.hint = hint;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LastError)) {
      return false;
    }
    LastError l = (LastError) o;
    return Objects.equals(time, l.time) && Objects.equals(message, l.message) && Objects.equals(hint, l.hint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, message, hint);
  }

  @Override
  public String toString() {
    return "LastError{time=" + time + ", message=" + message + ", hint=" + hint + "}";
  }
}
