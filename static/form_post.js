// form_post response mode: submit the hidden form at once. Without scripts the button does it.
document.getElementById("form-post")?.submit();
