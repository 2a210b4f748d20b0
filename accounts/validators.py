from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's validator with its message in Chinese.

    Django 5.2 changed this message's msgid and its zh_Hans catalogue still has
    the old one, so the stock validator speaks English to our users.
    """

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"
